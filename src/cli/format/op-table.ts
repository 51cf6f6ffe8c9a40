import type { OpRecord } from "../../core/step/result.ts";
import { fixed, si } from "./numbers.ts";
import type { Cell } from "./table.ts";
import { renderTable } from "./table.ts";

/** "calibrated", "roofline", or "extrapolated (outside data)" when the op left the data's envelope. */
export function sourceLabel(op: OpRecord): string {
  return op.inEnvelope === false ? `${op.source} (outside data)` : op.source;
}

/** Human table of op records (`step --ops`, `op`). */
export function renderOpTable(ops: readonly OpRecord[]): string {
  const ms = (value: number) => fixed(value, 4);
  return renderTable(
    [
      "op",
      "kind",
      "dtype",
      "FLOP",
      "bytes",
      "FLOP/B",
      "comm bytes",
      "compute ms",
      "memory ms",
      "comm ms",
      "ms",
      "bound",
      "source",
    ],
    ops.map((op) => [
      op.name,
      op.kind,
      op.kind === "collective" ? "-" : op.computeDtype,
      si(op.flops),
      si(op.bytesRead + op.bytesWritten),
      fixed(op.arithmeticIntensity, 1),
      si(op.commBytes),
      ms(op.computeMs),
      ms(op.memoryMs),
      ms(op.commMs),
      ms(op.ms),
      op.bound,
      sourceLabel(op),
    ]),
  );
}

export const OP_CSV_HEAD = [
  "op",
  "kind",
  "computeDtype",
  "flops",
  "bytesRead",
  "bytesWritten",
  "weightBytes",
  "kvCacheBytes",
  "commBytes",
  "collective",
  "groupSize",
  "computeMs",
  "memoryMs",
  "commMs",
  "ms",
  "bound",
  "source",
  "inEnvelope",
];

/** CSV cells of one op record, in OP_CSV_HEAD order. */
export function opCsvCells(op: OpRecord): Cell[] {
  return [
    op.name,
    op.kind,
    op.computeDtype,
    op.flops,
    op.bytesRead,
    op.bytesWritten,
    op.weightBytes,
    op.kvCacheBytes,
    op.commBytes,
    op.collective ?? "",
    op.groupSize,
    op.computeMs,
    op.memoryMs,
    op.commMs,
    op.ms,
    op.bound,
    op.source,
    op.inEnvelope === null ? "" : String(op.inEnvelope),
  ];
}
