import type { Dtype } from "../../core/dtype.ts";
import { InputError } from "../../core/issues.ts";
import { detachedCopy } from "../../core/ops/detach.ts";
import { activation, norm } from "../../core/ops/elementwise.ts";
import { gemm } from "../../core/ops/gemm.ts";
import type { Op } from "../../core/ops/types.ts";
import type { Measurement } from "../../core/predictor/calibrate.ts";
import { CellReader, positive } from "./fields.ts";
import type { TableFile } from "./table-file.ts";

const CONFIG_COLUMNS = [
  "n_head",
  "n_kv_head",
  "n_embd",
  "n_expanded_embd",
  "vocab_size",
  "use_gated_mlp",
  "num_tokens",
  "num_tensor_parallel_workers",
] as const;

/** Vidur's operator names and the engine ops they time (emb, rope and add have no engine op). */
const VIDUR_OPS = {
  attn_pre_proj: "qkv_proj",
  attn_post_proj: "o_proj",
  mlp_up_proj: "mlp_up",
  mlp_act: "mlp_act",
  mlp_down_proj: "mlp_down",
  input_layernorm: "attn_norm",
  post_attention_layernorm: "ffn_norm",
} as const;
const STATISTICS = ["min", "max", "mean", "median", "std"];
const TIMED = ["emb", "attn_rope", "add", ...Object.keys(VIDUR_OPS)];

export function isVidurMlp(table: TableFile): boolean {
  return table.columns.includes("n_expanded_embd") && table.columns.some((c) => c.startsWith("time_stats."));
}

const GATED = { True: "gated", False: "plain", true: "gated", false: "plain" } as const;

/** Vidur profiles in FP16 (its profiling default, vidur/README). */
const VIDUR_DTYPE: Dtype = "fp16";

/**
 * Vidur's mlp.csv (one transformer layer's operators on one TP shard, median of repeated runs, ms):
 * each timed operator becomes the engine op of the same shape — M = num_tokens, N and K from the
 * model dimensions over TP.
 */
export function vidurMlpMeasurements(table: TableFile, hardware: string, group: string): Measurement[] {
  const cells = new CellReader(table);
  const timeColumn = (c: string) => {
    const [prefix, op, stat] = c.split(".");
    return prefix === "time_stats" && TIMED.includes(op as string) && STATISTICS.includes(stat as string);
  };
  if (
    !cells.checkColumns(CONFIG_COLUMNS, timeColumn, [
      ...CONFIG_COLUMNS,
      `time_stats.{${TIMED.join(",")}}.{${STATISTICS.join(",")}}`,
    ])
  )
    throw new InputError(cells.issues);
  const out: Measurement[] = [];
  for (let row = 0; row < table.rows.length && !cells.full(); row++) {
    const heads = cells.count(row, "n_head");
    const kvHeads = cells.count(row, "n_kv_head");
    const hidden = cells.count(row, "n_embd");
    const width = cells.count(row, "n_expanded_embd");
    const tokens = cells.count(row, "num_tokens");
    const tp = cells.count(row, "num_tensor_parallel_workers");
    const gated = cells.oneOf(row, "use_gated_mlp", GATED) === "gated";
    if (cells.issues.length > 0) continue;
    const headDim = hidden / heads;
    const dense = (name: string, n: number, k: number): Op =>
      gemm({
        name,
        m: tokens,
        n,
        k,
        weightDtype: VIDUR_DTYPE,
        activationDtype: VIDUR_DTYPE,
        computeDtype: VIDUR_DTYPE,
        formula: "Vidur profile",
      });
    const ops: Record<string, Op> = {
      qkv_proj: dense("qkv_proj", ((heads + 2 * kvHeads) * headDim) / tp, hidden),
      o_proj: dense("o_proj", hidden, (heads * headDim) / tp),
      mlp_up: dense("mlp_up", ((gated ? 2 : 1) * width) / tp, hidden),
      mlp_down: dense("mlp_down", hidden, width / tp),
      mlp_act: activation("mlp_act", tokens, width / tp, gated, VIDUR_DTYPE),
      attn_norm: norm("attn_norm", tokens, hidden, VIDUR_DTYPE),
      ffn_norm: norm("ffn_norm", tokens, hidden, VIDUR_DTYPE),
    };
    for (const [vidurName, opName] of Object.entries(VIDUR_OPS)) {
      const column = `time_stats.${vidurName}.median`;
      if (!table.columns.includes(column)) continue;
      const latencyMs = cells.number(row, column, positive, "a positive time in ms");
      if (Number.isNaN(latencyMs)) continue;
      out.push({
        hardware,
        op: detachedCopy(ops[opName] as Op),
        latencyMs,
        group,
        source: `${table.file}:${row + 2}`,
      });
    }
  }
  if (cells.issues.length > 0) throw new InputError(cells.issues);
  return out;
}
