import type { Dtype, WeightBlockSize } from "../../core/dtype.ts";
import { InputError } from "../../core/issues.ts";
import { gqaDecodeAttention, gqaPrefillAttention } from "../../core/ops/attention.ts";
import { detachedCopy } from "../../core/ops/detach.ts";
import { gemm, groupedGemm } from "../../core/ops/gemm.ts";
import {
  type MlaArgs,
  type MlaBmmFormats,
  mlaAbsorbedAttention,
  mlaPrefillAttention,
  mlaQueryAbsorb,
  mlaValueUp,
} from "../../core/ops/mla.ts";
import type { Op } from "../../core/ops/types.ts";
import type { Measurement } from "../../core/predictor/calibrate.ts";
import { ownEntry } from "../../core/text/own-entry.ts";
import { CellReader, positive } from "./fields.ts";
import type { TableFile } from "./table-file.ts";

/** The weight block of AIConfigurator's fp8_block GEMM and MoE kernels (group_size 128 both ways). */
const AICONFIGURATOR_FP8_BLOCK: WeightBlockSize = [128, 128];

const GEMM_COLUMNS = [
  "framework",
  "version",
  "device",
  "op_name",
  "kernel_source",
  "gemm_dtype",
  "m",
  "n",
  "k",
  "latency",
];

/**
 * AIConfigurator's GEMM formats as engine dtypes: weights, activations (inputs and outputs, as the
 * engine's GEMM counts them) and tensor-core compute. fp8_block is FP8 with one scale per
 * 128 x 128 weight block (the collector's `_compute_fp8_block_weight_scales`, QuantAlgo
 * FP8_BLOCK_SCALES with group_size 128: DeepSeek-V3's format); *_wo are weight-only quantized GEMMs
 * that compute in BF16. Both form their own family variant, not averaged with the plain GEMMs of
 * the same shape (see familyVariant).
 */
const GEMM_DTYPES: Readonly<
  Record<string, { weight: Dtype; activation: Dtype; compute: Dtype; block?: WeightBlockSize }>
> = {
  bfloat16: { weight: "bf16", activation: "bf16", compute: "bf16" },
  float16: { weight: "fp16", activation: "fp16", compute: "fp16" },
  fp8: { weight: "fp8", activation: "bf16", compute: "fp8" },
  fp8_block: { weight: "fp8", activation: "bf16", compute: "fp8", block: AICONFIGURATOR_FP8_BLOCK },
  nvfp4: { weight: "fp4", activation: "bf16", compute: "fp4" },
  int8_wo: { weight: "int8", activation: "bf16", compute: "bf16" },
  int4_wo: { weight: "int4", activation: "bf16", compute: "bf16" },
};

export function isAiconfiguratorGemm(table: TableFile): boolean {
  return table.columns.includes("gemm_dtype") && table.columns.includes("latency");
}

/**
 * AIConfigurator's gemm_perf table (latency in ms, one GEMM of m x n x k on one GPU): each row is
 * the engine's "gemm" op of that shape; block-scaled FP8 rows carry their weight block, so they
 * price the engine's GEMMs on block-scaled checkpoints (DeepSeek-V3) and not per-tensor FP8's.
 * `hardwareOf` maps the device string to a catalog name.
 */
export function aiconfiguratorGemmMeasurements(
  table: TableFile,
  hardwareOf: (device: string, row: number) => string | undefined,
  warn: (message: string) => void,
): Measurement[] {
  const cells = new CellReader(table);
  if (!cells.checkColumns(GEMM_COLUMNS, () => false)) throw new InputError(cells.issues);
  const skipped = new Map<string, number>();
  const out: Measurement[] = [];
  for (let row = 0; row < table.rows.length && !cells.full(); row++) {
    const format = cells.text(row, "gemm_dtype");
    if (!Object.hasOwn(GEMM_DTYPES, format)) {
      // A format the engine has no dtype for is left out, and said so: the rest still calibrates.
      skipped.set(format, (skipped.get(format) ?? 0) + 1);
      continue;
    }
    const m = cells.count(row, "m");
    const n = cells.count(row, "n");
    const k = cells.count(row, "k");
    const latencyMs = cells.number(row, "latency", positive, "a positive time in ms");
    const hardware = hardwareOf(cells.text(row, "device"), row);
    if (hardware === undefined || Number.isNaN(m + n + k + latencyMs)) continue;
    const d = GEMM_DTYPES[format] as (typeof GEMM_DTYPES)[string];
    out.push({
      hardware,
      op: detachedCopy(
        gemm({
          name: "gemm",
          m,
          n,
          k,
          weightDtype: d.weight,
          activationDtype: d.activation,
          computeDtype: d.compute,
          weightBlockSize: d.block ?? null,
          formula: `AIConfigurator ${format}`,
        }),
      ),
      latencyMs,
      group: `${cells.text(row, "framework")} ${cells.text(row, "version")}`,
      source: `${table.file}:${row + 2}`,
    });
  }
  if (cells.issues.length > 0) throw new InputError(cells.issues);
  for (const [format, count] of skipped)
    warn(
      `${table.file}: skipped ${count} rows of gemm_dtype "${format}" (no engine dtype; known: ${Object.keys(GEMM_DTYPES).join(", ")})`,
    );
  return out;
}

const ATTENTION_COLUMNS = [
  "framework",
  "version",
  "device",
  "op_name",
  "kernel_source",
  "batch_size",
  "isl",
  "num_heads",
  "num_key_value_heads",
  "head_dim",
  "window_size",
  "beam_width",
  "attn_dtype",
  "kv_cache_dtype",
  "step",
  "latency",
];
const ATTENTION_DTYPES: Readonly<Record<string, Dtype>> = { bfloat16: "bf16", float16: "fp16", fp8: "fp8" };

/**
 * An attention row's math and KV-cache formats as engine dtypes, or undefined for a format the
 * engine has none for (counted in `skipped` by format pair: the rest of the table still calibrates).
 */
function attentionFormats(
  cells: CellReader,
  row: number,
  computeColumn: string,
  skipped: Map<string, number>,
): { computeDtype: Dtype; kvDtype: Dtype } | undefined {
  const compute = cells.text(row, computeColumn);
  const kv = cells.text(row, "kv_cache_dtype");
  const computeDtype = ownEntry(ATTENTION_DTYPES, compute);
  const kvDtype = ownEntry(ATTENTION_DTYPES, kv);
  if (computeDtype !== undefined && kvDtype !== undefined) return { computeDtype, kvDtype };
  const label = `${computeColumn} "${compute}", kv_cache_dtype "${kv}"`;
  skipped.set(label, (skipped.get(label) ?? 0) + 1);
  return undefined;
}

function warnSkippedFormats(
  file: string,
  skipped: Map<string, number>,
  warn: (message: string) => void,
): void {
  for (const [label, count] of skipped)
    warn(
      `${file}: skipped ${count} rows of ${label} (no engine dtype; known: ${Object.keys(ATTENTION_DTYPES).join(", ")})`,
    );
}

const wholeAtLeast0 = (v: number) => Number.isInteger(v) && v >= 0;

/**
 * The cells every attention table's row has: its phase (from op_name), sequences, isl, heads per
 * GPU, step, latency and accelerator; undefined when one is bad (the issue is in `cells`).
 */
function attentionRow<P extends string>(
  cells: CellReader,
  row: number,
  phases: Readonly<Record<string, P>>,
  hardwareOf: (device: string, row: number) => string | undefined,
) {
  const phase = cells.oneOf(row, "op_name", phases);
  const sequences = cells.count(row, "batch_size");
  const isl = cells.count(row, "isl");
  const heads = cells.count(row, "num_heads");
  const step = cells.number(row, "step", wholeAtLeast0, "an integer >= 0");
  const latencyMs = cells.number(row, "latency", positive, "a positive time in ms");
  const hardware = hardwareOf(cells.text(row, "device"), row);
  if (phase === undefined || hardware === undefined) return undefined;
  if (Number.isNaN(sequences + isl + heads + step + latencyMs)) return undefined;
  return { phase, sequences, isl, heads, step, latencyMs, hardware };
}

/** A table row's measurement: grouped by framework and version, traced to its line. */
function tableMeasurement(
  table: TableFile,
  cells: CellReader,
  row: number,
  hardware: string,
  op: Op,
  latencyMs: number,
): Measurement {
  return {
    hardware,
    op: detachedCopy(op),
    latencyMs,
    group: `${cells.text(row, "framework")} ${cells.text(row, "version")}`,
    source: `${table.file}:${row + 2}`,
  };
}

export function isAiconfiguratorAttention(table: TableFile): boolean {
  return table.columns.includes("num_key_value_heads") && table.columns.includes("attn_dtype");
}

/**
 * AIConfigurator's context_attention_perf (prefill: batch_size prompts of isl tokens, no cache) and
 * generation_attention_perf (decode: one new token per sequence attending isl cached tokens plus the
 * `step` tokens generated so far) tables, latency in ms, heads per GPU: each row is the engine's
 * attention_prefill / attention_decode op of that shape. window_size 0 is full attention.
 */
export function aiconfiguratorAttentionMeasurements(
  table: TableFile,
  hardwareOf: (device: string, row: number) => string | undefined,
  warn: (message: string) => void,
): Measurement[] {
  const cells = new CellReader(table);
  if (!cells.checkColumns(ATTENTION_COLUMNS, () => false)) throw new InputError(cells.issues);
  const skipped = new Map<string, number>();
  const phases = { context_attention: "prefill", generation_attention: "decode" } as const;
  const out: Measurement[] = [];
  for (let row = 0; row < table.rows.length && !cells.full(); row++) {
    const formats = attentionFormats(cells, row, "attn_dtype", skipped);
    if (formats === undefined) continue;
    const { computeDtype, kvDtype } = formats;
    const common = attentionRow(cells, row, phases, hardwareOf);
    const kvHeads = cells.count(row, "num_key_value_heads");
    const headDim = cells.count(row, "head_dim");
    const window = cells.number(row, "window_size", wholeAtLeast0, "an integer >= 0");
    if (common === undefined || Number.isNaN(kvHeads + headDim + window)) continue;
    const { phase, sequences, isl, heads, step, latencyMs, hardware } = common;
    const args = {
      sequences,
      heads,
      kvHeads,
      headDim,
      window: window > 0 ? window : null,
      kvDtype,
      activationDtype: "bf16" as Dtype,
      computeDtype,
    };
    const op = phase === "prefill" ? gqaPrefillAttention(args, isl, 0) : gqaDecodeAttention(args, isl + step);
    out.push(tableMeasurement(table, cells, row, hardware, op, latencyMs));
  }
  if (cells.issues.length > 0) throw new InputError(cells.issues);
  warnSkippedFormats(table.file, skipped, warn);
  return out;
}

const MLA_COLUMNS = [
  "framework",
  "version",
  "device",
  "op_name",
  "kernel_source",
  "mla_dtype",
  "kv_cache_dtype",
  "num_heads",
  "batch_size",
  "isl",
  "tp_size",
  "step",
  "latency",
];

/**
 * The MLA dimensions AIConfigurator's TensorRT-LLM collector (collector/trtllm/collect_mla.py)
 * builds its kernels with: DeepSeek-V3's kv_lora_rank, qk_nope/qk_rope head dims and v head dim.
 */
const COLLECTOR_MLA = { kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 } as const;

/** The attention-kernel tables of MLA (the *_module_perf tables time whole modules: not these). */
export function isAiconfiguratorMla(table: TableFile): boolean {
  return table.columns.includes("mla_dtype") && !table.columns.includes("gemm_type");
}

/**
 * AIConfigurator's context_mla_perf and generation_mla_perf tables (latency in ms, num_heads per
 * GPU, DeepSeek-V3's MLA dimensions): mla_context rows are the engine's attention_prefill in its
 * non-absorbed form (batch_size prompts of isl tokens, keys and values up-projected per head, as
 * TensorRT-LLM's context kernel takes them), mla_generation rows its absorbed attention_decode
 * (one new token attending isl + step latent entries: the collector's step cached tokens and the
 * new one).
 */
export function aiconfiguratorMlaMeasurements(
  table: TableFile,
  hardwareOf: (device: string, row: number) => string | undefined,
  warn: (message: string) => void,
): Measurement[] {
  const cells = new CellReader(table);
  if (!cells.checkColumns(MLA_COLUMNS, () => false)) throw new InputError(cells.issues);
  const skipped = new Map<string, number>();
  const phases = { mla_context: "prefill", mla_generation: "decode" } as const;
  const out: Measurement[] = [];
  for (let row = 0; row < table.rows.length && !cells.full(); row++) {
    const formats = attentionFormats(cells, row, "mla_dtype", skipped);
    if (formats === undefined) continue;
    const { computeDtype, kvDtype } = formats;
    const common = attentionRow(cells, row, phases, hardwareOf);
    if (common === undefined) continue;
    const { phase, sequences, isl, heads, step, latencyMs, hardware } = common;
    const args: MlaArgs = {
      ...COLLECTOR_MLA,
      sequences,
      heads,
      kvDtype,
      activationDtype: "bf16",
      computeDtype,
    };
    const keys = isl + step;
    const op =
      phase === "prefill"
        ? mlaPrefillAttention(args, isl, 0, "attention_prefill")
        : mlaAbsorbedAttention(args, 1, keys, keys, "attention_decode");
    out.push(tableMeasurement(table, cells, row, hardware, op, latencyMs));
  }
  if (cells.issues.length > 0) throw new InputError(cells.issues);
  warnSkippedFormats(table.file, skipped, warn);
  return out;
}

const MOE_COLUMNS = [
  "framework",
  "version",
  "device",
  "op_name",
  "kernel_source",
  "moe_dtype",
  "num_tokens",
  "hidden_size",
  "inter_size",
  "topk",
  "num_experts",
  "moe_tp_size",
  "moe_ep_size",
  "distribution",
  "latency",
];

/**
 * MoE formats the engine can express: weights and tensor-core compute. nvfp4 runs FP4 tensor cores
 * (Blackwell); int4_wo and w4a16_mxfp4 dequantize 4-bit weights into BF16 GEMMs, their own family
 * variant ("weights-int4", "weights-fp4"; see familyVariant); fp8_block (FP8_BLOCK_SCALES, quant
 * group size 128: 128 x 128 weight blocks) is its own variant too ("block-128x128").
 */
const MOE_DTYPES: Readonly<Record<string, { weight: Dtype; compute: Dtype; block?: WeightBlockSize }>> = {
  bfloat16: { weight: "bf16", compute: "bf16" },
  fp8: { weight: "fp8", compute: "fp8" },
  fp8_block: { weight: "fp8", compute: "fp8", block: AICONFIGURATOR_FP8_BLOCK },
  nvfp4: { weight: "fp4", compute: "fp4" },
  int4_wo: { weight: "int4", compute: "bf16" },
  w4a16_mxfp4: { weight: "fp4", compute: "bf16" },
};

/**
 * Token-expert rows and distinct experts that land on the measured rank (EP rank 0, experts
 * [0, localExperts)) under AIConfigurator's "balanced" routing (collector helper
 * `balanced_logits`): with stride = ceil(E/k), token i takes experts (i + j·stride) mod E for
 * j < k when there are at least `stride` tokens, else (trunc(i·stride/T + j·stride)) mod E,
 * spreading few tokens evenly over the experts. A token's k picks are distinct unless
 * k·(k-1) >= E (none of the published shapes); the collector's top-k would then fill the gap with
 * other experts, which this count does not follow.
 */
export function balancedRankLoad(
  tokens: number,
  experts: number,
  topK: number,
  localExperts: number,
): { rows: number; touchedExperts: number } {
  const stride = Math.ceil(experts / topK);
  const hits = new Float64Array(localExperts);
  if (tokens >= stride) {
    // Expert p is hit by the run of `tokens` consecutive experts starting at j·stride (mod E)
    // once per full turn it lies inside.
    for (let j = 0; j < topK; j++) {
      const start = (j * stride) % experts;
      for (let p = 0; p < localExperts; p++) {
        const offset = (((p - start) % experts) + experts) % experts;
        if (offset < tokens) hits[p] = (hits[p] as number) + Math.floor((tokens - 1 - offset) / experts) + 1;
      }
    }
  } else {
    for (let i = 0; i < tokens; i++)
      for (let j = 0; j < topK; j++) {
        // The collector stores the index in float32 before truncating it.
        const expert = Math.trunc(Math.fround((i * stride) / tokens + j * stride)) % experts;
        if (expert < localExperts) hits[expert] = (hits[expert] as number) + 1;
      }
  }
  let rows = 0;
  let touchedExperts = 0;
  for (const h of hits) {
    rows += h;
    if (h > 0) touchedExperts++;
  }
  return { rows, touchedExperts };
}

export function isAiconfiguratorMoe(table: TableFile): boolean {
  return table.columns.includes("moe_dtype") && table.columns.includes("num_experts");
}

/**
 * AIConfigurator's moe_perf table (latency in ms of TensorRT-LLM's fused MoE on one GPU: routing,
 * both expert GEMMs and the finalize, for `num_tokens` tokens routed top-k over all `num_experts`,
 * the GPU holding num_experts/moe_ep_size experts of width inter_size/moe_tp_size). Each balanced
 * row becomes the engine's experts_up and experts_down of that shape (the rows and experts the
 * measured rank receives, from balancedRankLoad), the measured time split between them in
 * proportion to their roofline times, so that both carry the kernel's efficiency. Power-law rows are left out (their
 * busiest-rank load is not in the table), and said so.
 */
export function aiconfiguratorMoeMeasurements(
  table: TableFile,
  hardwareOf: (device: string, row: number) => string | undefined,
  idealMs: (op: Op, hardware: string) => number,
  warn: (message: string) => void,
): Measurement[] {
  const cells = new CellReader(table);
  if (!cells.checkColumns(MOE_COLUMNS, () => false)) throw new InputError(cells.issues);
  const skippedFormats = new Map<string, number>();
  let skippedDistributions = 0;
  let skippedLayouts = 0;
  const out: Measurement[] = [];
  for (let row = 0; row < table.rows.length && !cells.full(); row++) {
    const format = cells.text(row, "moe_dtype");
    if (!Object.hasOwn(MOE_DTYPES, format)) {
      skippedFormats.set(format, (skippedFormats.get(format) ?? 0) + 1);
      continue;
    }
    if (cells.text(row, "distribution") !== "balanced") {
      skippedDistributions++;
      continue;
    }
    const tokens = cells.count(row, "num_tokens");
    const hidden = cells.count(row, "hidden_size");
    const inter = cells.count(row, "inter_size");
    const topK = cells.count(row, "topk");
    const experts = cells.count(row, "num_experts");
    const tp = cells.count(row, "moe_tp_size");
    const ep = cells.count(row, "moe_ep_size");
    const latencyMs = cells.number(row, "latency", positive, "a positive time in ms");
    const hardware = hardwareOf(cells.text(row, "device"), row);
    if (
      hardware === undefined ||
      Number.isNaN(tokens + hidden + inter + topK + experts + tp + ep + latencyMs)
    )
      continue;
    const d = MOE_DTYPES[format] as (typeof MOE_DTYPES)[string];
    const gated = cells.text(row, "kernel_source") !== "moe_torch_flow_nongated";
    if (experts % ep !== 0) {
      skippedLayouts++;
      continue;
    }
    const load = balancedRankLoad(tokens, experts, topK, experts / ep);
    if (load.rows === 0) continue; // the measured rank received no token: nothing to fit
    const rows = load.rows;
    const width = inter / tp;
    const touched = load.touchedExperts;
    const expertGemm = (name: string, k: number, n: number) =>
      groupedGemm({
        name,
        m: rows,
        n,
        k,
        matricesRead: touched,
        weightDtype: d.weight,
        activationDtype: "bf16",
        computeDtype: d.compute,
        weightBlockSize: d.block ?? null,
        formula: `AIConfigurator fused MoE ${format}, ${experts} experts top-${topK}, tp ${tp} ep ${ep}`,
      });
    const up = expertGemm("experts_up", hidden, (gated ? 2 : 1) * width);
    const down = expertGemm("experts_down", width, hidden);
    const upShare = idealMs(up, hardware) / (idealMs(up, hardware) + idealMs(down, hardware));
    const group = `${cells.text(row, "framework")} ${cells.text(row, "version")}`;
    const source = `${table.file}:${row + 2}`;
    out.push({ hardware, op: detachedCopy(up), latencyMs: latencyMs * upShare, group, source });
    out.push({ hardware, op: detachedCopy(down), latencyMs: latencyMs * (1 - upShare), group, source });
  }
  if (cells.issues.length > 0) throw new InputError(cells.issues);
  for (const [format, count] of skippedFormats)
    warn(
      `${table.file}: skipped ${count} rows of moe_dtype "${format}" (no engine dtype; known: ${Object.keys(MOE_DTYPES).join(", ")})`,
    );
  if (skippedLayouts > 0)
    warn(`${table.file}: skipped ${skippedLayouts} rows whose moe_ep_size does not divide num_experts`);
  if (skippedDistributions > 0)
    warn(
      `${table.file}: skipped ${skippedDistributions} power-law rows (only "balanced" routing maps to the engine's expert load)`,
    );
  return out;
}

const MLA_BMM_COLUMNS = [
  "framework",
  "version",
  "device",
  "op_name",
  "kernel_source",
  "bmm_dtype",
  "num_tokens",
  "num_heads",
  "latency",
];

const BF16_BMM: MlaBmmFormats = { weightDtype: "bf16", computeDtype: "bf16", weightBlockSize: null };

/**
 * MLA BMM formats: fp8 is TensorRT-LLM's fp8_block_scaling_bmm (weights in 128 x 128 scale blocks,
 * the activation quantized per 1 x 128 inside the timed call: collector/trtllm/collect_mla_bmm.py),
 * bfloat16 the plain BMM; older collectors label that BF16 run "float16" (their dtype list) while
 * building bfloat16 tensors. On GPUs where serving dequantizes the FP8 weights at load
 * (kernel_source "trtllm_bmm_out_dequant_bf16") the row is a BF16 BMM whatever its bmm_dtype says.
 */
const MLA_BMM_FORMATS: Readonly<Record<string, MlaBmmFormats>> = {
  bfloat16: BF16_BMM,
  float16: BF16_BMM,
  fp8: { weightDtype: "fp8", computeDtype: "fp8", weightBlockSize: AICONFIGURATOR_FP8_BLOCK },
};

export function isAiconfiguratorMlaBmm(table: TableFile): boolean {
  return table.columns.includes("bmm_dtype") && table.columns.includes("num_heads");
}

/**
 * AIConfigurator's mla_bmm_perf table (latency in ms, num_heads per GPU, DeepSeek-V3's MLA
 * dimensions): the absorbed form's per-head BMMs of decode, mla_gen_pre the engine's
 * q_absorb_decode (num_tokens x d_nope against each head's W_UK) and mla_gen_post its v_up_decode
 * (num_tokens x Dc against each head's W_UV), built as the engine builds them.
 */
export function aiconfiguratorMlaBmmMeasurements(
  table: TableFile,
  hardwareOf: (device: string, row: number) => string | undefined,
  warn: (message: string) => void,
): Measurement[] {
  const cells = new CellReader(table);
  if (!cells.checkColumns(MLA_BMM_COLUMNS, () => false)) throw new InputError(cells.issues);
  const ops = { mla_gen_pre: "q_absorb_decode", mla_gen_post: "v_up_decode" } as const;
  const skipped = new Map<string, number>();
  const out: Measurement[] = [];
  for (let row = 0; row < table.rows.length && !cells.full(); row++) {
    const format = cells.text(row, "bmm_dtype");
    const formats = ownEntry(MLA_BMM_FORMATS, format);
    if (formats === undefined) {
      skipped.set(format, (skipped.get(format) ?? 0) + 1);
      continue;
    }
    const name = cells.oneOf(row, "op_name", ops);
    const tokens = cells.count(row, "num_tokens");
    const heads = cells.count(row, "num_heads");
    const latencyMs = cells.number(row, "latency", positive, "a positive time in ms");
    const hardware = hardwareOf(cells.text(row, "device"), row);
    if (name === undefined || hardware === undefined || Number.isNaN(tokens + heads + latencyMs)) continue;
    const args: MlaArgs = {
      ...COLLECTOR_MLA,
      sequences: tokens,
      heads,
      kvDtype: "bf16",
      activationDtype: "bf16",
      computeDtype: "bf16",
    };
    const kernelFormats = cells.text(row, "kernel_source").endsWith("_dequant_bf16") ? BF16_BMM : formats;
    const build = name === "q_absorb_decode" ? mlaQueryAbsorb : mlaValueUp;
    out.push(
      tableMeasurement(table, cells, row, hardware, build(args, tokens, kernelFormats, name), latencyMs),
    );
  }
  if (cells.issues.length > 0) throw new InputError(cells.issues);
  for (const [format, count] of skipped)
    warn(
      `${table.file}: skipped ${count} rows of bmm_dtype "${format}" (no engine dtype; known: ${Object.keys(MLA_BMM_FORMATS).join(", ")})`,
    );
  return out;
}
