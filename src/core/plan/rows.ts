import type { PlanEvaluator } from "./evaluate.ts";
import { STATUSES } from "./evaluate.ts";
import { gpusOf, newCursor, parallelOf, type Role } from "./space.ts";
import type { RowColumns } from "./sweep.ts";

/** One output column of the every-configuration table. */
export type RowColumn =
  | { readonly name: string; readonly kind: "string"; readonly data: string[] }
  | { readonly name: string; readonly kind: "int"; readonly data: Int32Array }
  | { readonly name: string; readonly kind: "double"; readonly data: Float64Array };

/**
 * The every-configuration table of a swept range, for pandas and DuckDB users: what each
 * configuration is (mode, KV format, both roles — an aggregated replica appears as both —, batch,
 * xPyD) and its status and figures (NaN where it has none). Column names are snake_case with units.
 */
export function rowTable(evaluator: PlanEvaluator, columns: RowColumns): RowColumn[] {
  const { space, spec } = evaluator;
  const n = columns.index.length;
  const text = () => new Array<string>(n);
  const int = () => new Int32Array(n);
  const mode = text();
  const kv = text();
  const status = text();
  const role = (prefix: string) => ({
    prefix,
    hardware: text(),
    tp: int(),
    pp: int(),
    dp: int(),
    ep: int(),
    overlap: text(),
    gpus: int(),
  });
  const sides = [role("prefill"), role("decode")] as const;
  const batch = int();
  const prefillReplicas = int();
  const decodeReplicas = int();
  const cursor = newCursor();
  for (let k = 0; k < n; k++) {
    const index = columns.index[k] as number;
    space.decode(index, cursor);
    mode[k] = cursor.aggregated ? "aggregated" : "disaggregated";
    kv[k] = spec.axes.kvDtype[cursor.kv] as string;
    status[k] = STATUSES[columns.status[k] as number] as string;
    batch[k] = spec.axes.batch[cursor.batch] as number;
    prefillReplicas[k] = cursor.prefillReplicas;
    decodeReplicas[k] = cursor.aggregated ? 1 : cursor.decodeReplicas;
    for (const [side, roleIndex] of [
      [sides[0], cursor.prefillRole],
      [sides[1], cursor.decodeRole],
    ] as const) {
      const r = space.roles[roleIndex] as Role;
      const plan = parallelOf(r, spec.model);
      side.hardware[k] = spec.hardware[r.hardware]?.name as string;
      side.tp[k] = plan.tp;
      side.pp[k] = plan.pp;
      side.dp[k] = plan.dp;
      side.ep[k] = plan.ep;
      side.overlap[k] = r.overlap;
      side.gpus[k] = gpusOf(r);
    }
  }
  const double = (name: string, data: Float64Array): RowColumn => ({ name, kind: "double", data });
  return [
    { name: "index", kind: "double", data: columns.index },
    { name: "mode", kind: "string", data: mode },
    { name: "kv_dtype", kind: "string", data: kv },
    ...sides.flatMap((side): RowColumn[] => [
      { name: `${side.prefix}_hardware`, kind: "string", data: side.hardware },
      { name: `${side.prefix}_tp`, kind: "int", data: side.tp },
      { name: `${side.prefix}_pp`, kind: "int", data: side.pp },
      { name: `${side.prefix}_dp`, kind: "int", data: side.dp },
      { name: `${side.prefix}_ep`, kind: "int", data: side.ep },
      { name: `${side.prefix}_overlap`, kind: "string", data: side.overlap },
      { name: `${side.prefix}_gpus`, kind: "int", data: side.gpus },
    ]),
    { name: "batch", kind: "int", data: batch },
    { name: "prefill_replicas", kind: "int", data: prefillReplicas },
    { name: "decode_replicas", kind: "int", data: decodeReplicas },
    { name: "status", kind: "string", data: status },
    double("ttft_ms", columns.ttftMs),
    double("tpot_ms", columns.tpotMs),
    double("output_tokens_per_s_per_gpu", columns.tokensPerSecPerGpu),
    double("output_tokens_per_s_per_user", columns.tokensPerSecPerUser),
    double("unit_requests_per_s", columns.unitRequestsPerSec),
    double("unit_gpus", columns.unitGpus),
    double("copies", columns.copies),
    double("usd_per_million_output_tokens", columns.usdPerMillionTokens),
  ];
}
