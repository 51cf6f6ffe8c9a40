import { weightBlockSizeValue } from "../../config/flag-values.ts";
import { DTYPES, type Dtype } from "../../core/dtype.ts";
import { InputError } from "../../core/issues.ts";
import { detachedCopy } from "../../core/ops/detach.ts";
import { gemm, groupedGemm } from "../../core/ops/gemm.ts";
import { MLA_BMM_OP_NAMES } from "../../core/ops/mla.ts";
import { OP_KINDS, type Op, type OpKind } from "../../core/ops/types.ts";
import type { Measurement } from "../../core/predictor/calibrate.ts";
import { CellReader, positive } from "./fields.ts";
import type { TableFile } from "./table-file.ts";

/** Latency columns and their factor to milliseconds: the unit is in the name, never assumed. */
const LATENCY_COLUMNS: Readonly<Record<string, number>> = { latency_ms: 1, latency_us: 1e-3, latency_s: 1e3 };
const REQUIRED = ["hardware", "op", "kind", "dtype"];
const OPTIONAL = [
  "m",
  "n",
  "k",
  "batch",
  "matrices",
  "flops",
  "bytes",
  "weight_dtype",
  "weight_block_size",
  "activation_dtype",
  "kv_dtype",
  "group",
  "notes",
];

export function isNativeMeasurements(table: TableFile): boolean {
  return REQUIRED.every((c) => table.columns.includes(c));
}

const dtypeMap = Object.fromEntries(DTYPES.map((d) => [d, d])) as Record<string, Dtype>;
const kindMap = Object.fromEntries(OP_KINDS.filter((k) => k !== "collective").map((k) => [k, k])) as Record<
  string,
  OpKind
>;

/**
 * llmsim's own measurement CSV (docs/predictors.md): hardware, op (engine op name), kind, dtype,
 * a latency column with its unit in the name (latency_ms, latency_us or latency_s); m, n, k for
 * gemm and grouped-gemm (plus batch for a batched GEMM, one kernel over that many per-head weight
 * matrices; matrices, the expert weight matrices read, for grouped-gemm), flops
 * and bytes for other kinds; optional weight_dtype, weight_block_size (block-scaled FP8 GEMMs:
 * "128x128"; empty or "none" for per-tensor scales), activation_dtype, kv_dtype, group and notes.
 * Attention rows (FLOPs and bytes, no shape) are MLA's, the engine's only shapeless attention, with
 * a latent cache in kv_dtype (default: the activation format, as the engine's).
 */
export function nativeMeasurements(
  table: TableFile,
  hardwareOf: (name: string, row: number) => string | undefined,
  warn: (message: string) => void,
): Measurement[] {
  const cells = new CellReader(table);
  const latencyColumns = table.columns.filter((c) => Object.hasOwn(LATENCY_COLUMNS, c));
  const known = [...REQUIRED, ...Object.keys(LATENCY_COLUMNS), ...OPTIONAL];
  if (!cells.checkColumns(REQUIRED, (c) => OPTIONAL.includes(c) || Object.hasOwn(LATENCY_COLUMNS, c), known))
    throw new InputError(cells.issues);
  if (latencyColumns.length !== 1)
    throw new InputError([
      {
        code: latencyColumns.length === 0 ? "missing-field" : "invalid-value",
        path: ["latency"],
        file: table.file,
        line: 1,
        message: `need exactly one latency column with its unit, found ${latencyColumns.length}`,
        allowed: Object.keys(LATENCY_COLUMNS),
      },
    ]);
  const latencyColumn = latencyColumns[0] as string;
  const toMs = LATENCY_COLUMNS[latencyColumn] as number;
  const out: Measurement[] = [];
  const unbatched = new Set<string>();
  for (let row = 0; row < table.rows.length && !cells.full(); row++) {
    const kind = cells.oneOf(row, "kind", kindMap);
    const dtype = cells.oneOf(row, "dtype", dtypeMap);
    const weightDtype =
      table.columns.includes("weight_dtype") && cells.text(row, "weight_dtype") !== ""
        ? cells.oneOf(row, "weight_dtype", dtypeMap)
        : dtype;
    const activationDtype =
      table.columns.includes("activation_dtype") && cells.text(row, "activation_dtype") !== ""
        ? cells.oneOf(row, "activation_dtype", dtypeMap)
        : "bf16";
    const kvDtype =
      table.columns.includes("kv_dtype") && cells.text(row, "kv_dtype") !== ""
        ? cells.oneOf(row, "kv_dtype", dtypeMap)
        : activationDtype;
    const block =
      table.columns.includes("weight_block_size") && cells.text(row, "weight_block_size") !== ""
        ? cells.parsed(row, "weight_block_size", weightBlockSizeValue, "ROWSxCOLUMNS (e.g. 128x128) or none")
        : "none";
    const latency = cells.number(row, latencyColumn, positive, `a positive time (${latencyColumn})`);
    const hardware = hardwareOf(cells.text(row, "hardware"), row);
    const name = cells.text(row, "op");
    if (
      kind === undefined ||
      dtype === undefined ||
      weightDtype === undefined ||
      activationDtype === undefined ||
      kvDtype === undefined ||
      block === undefined ||
      hardware === undefined
    )
      continue;
    let op: Op;
    if (kind === "gemm" || kind === "grouped-gemm") {
      const m = cells.number(row, "m", positive, "a positive number of rows");
      const n = cells.number(row, "n", positive, "a positive number of outputs");
      const k = cells.number(row, "k", positive, "a positive number of inputs");
      if (Number.isNaN(m + n + k)) continue;
      const weightBlockSize = block === "none" ? null : block;
      const args = {
        name,
        m,
        n,
        k,
        weightDtype,
        activationDtype,
        computeDtype: dtype,
        weightBlockSize,
        formula: "measured",
      };
      if (kind === "gemm") {
        // A batched GEMM (per-head BMM) is its own kernel family; an empty cell is a plain GEMM.
        const batched = table.columns.includes("batch") && cells.text(row, "batch") !== "";
        const batch = batched
          ? cells.number(row, "batch", (v) => Number.isInteger(v) && v >= 1, "a whole number of GEMMs >= 1")
          : undefined;
        if (Number.isNaN(batch)) continue;
        if (batch === undefined && MLA_BMM_OP_NAMES.has(name)) unbatched.add(name);
        op = gemm({ ...args, batch });
      } else {
        // The expert weight matrices the grouped GEMM read (its weight traffic): required, since
        // the engine's MoE ops read every touched expert's weights.
        const matricesRead = cells.number(
          row,
          "matrices",
          positive,
          "the number of expert weight matrices read",
        );
        if (Number.isNaN(matricesRead)) continue;
        op = groupedGemm({ ...args, matricesRead });
      }
    } else {
      const flops = cells.number(row, "flops", (v) => v >= 0, "a FLOP count >= 0");
      const bytes = cells.number(row, "bytes", positive, "a positive byte count");
      if (Number.isNaN(flops + bytes)) continue;
      op = {
        name,
        kind,
        computeDtype: dtype,
        flops,
        bytesRead: bytes,
        bytesWritten: 0,
        weightBytes: 0,
        kvCacheBytes: 0,
        comm: null,
        shape: null,
        formula: "measured",
        ...(kind === "attention" ? { latentKvDtype: kvDtype } : {}),
      };
    }
    if (Number.isNaN(latency)) continue;
    const group = table.columns.includes("group") ? cells.text(row, "group") : "";
    out.push({
      hardware,
      op: detachedCopy(op),
      latencyMs: latency * toMs,
      group,
      source: `${table.file}:${row + 2}`,
    });
  }
  if (cells.issues.length > 0) throw new InputError(cells.issues);
  if (unbatched.size > 0)
    warn(
      `${table.file}: ${[...unbatched].join(", ")} rows have no batch: the engine runs these as batched GEMMs (batch = heads per GPU), so plain-GEMM rows of those names price none of its ops`,
    );
  return out;
}
