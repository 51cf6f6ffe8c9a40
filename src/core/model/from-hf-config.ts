import type { Dtype, WeightBlockSize } from "../dtype.ts";
import type { Issue } from "../issues.ts";
import { ownEntry } from "../text/own-entry.ts";
import { FAMILIES, type FamilyDefaults, GENERIC_FAMILY } from "./families.ts";
import type { AttentionSpec, LayerKind, MlpSpec, ModelSpec, MoeSpec } from "./types.ts";

export type ImportResult = { ok: true; model: ModelSpec } | { ok: false; issues: Issue[] };

type Config = Record<string, unknown>;

/** Reads fields by their Hugging Face names and records what is missing or malformed. */
class FieldReader {
  readonly issues: Issue[] = [];
  private readonly config: Config;
  constructor(config: Config) {
    this.config = config;
  }

  has(key: string): boolean {
    return this.config[key] !== undefined && this.config[key] !== null;
  }

  raw(key: string): unknown {
    return this.config[key];
  }

  /** First present key among `keys` as a positive integer; undefined when none is present. */
  optionalInt(keys: readonly string[], min = 1): number | undefined {
    for (const key of keys) {
      const value = this.config[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
        this.issues.push({
          code: "invalid-value",
          path: [key],
          message: `expected an integer >= ${min}, got ${JSON.stringify(value)}`,
        });
        return undefined;
      }
      return value;
    }
    return undefined;
  }

  requiredInt(keys: readonly string[], why = ""): number {
    const value = this.optionalInt(keys);
    if (value === undefined && !keys.some((key) => this.has(key))) {
      this.issues.push({
        code: "missing-field",
        path: [keys[0] ?? "?"],
        message: `required field is missing${why}${keys.length > 1 ? ` (also accepted: ${keys.slice(1).join(", ")})` : ""}`,
      });
    }
    return value ?? 1;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.config[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "boolean") {
      this.issues.push({
        code: "invalid-value",
        path: [key],
        message: `expected true or false, got ${JSON.stringify(value)}`,
      });
      return fallback;
    }
    return value;
  }
}

const HIDDEN = ["hidden_size", "n_embd", "n_embed", "d_model"];
const LAYERS = ["num_hidden_layers", "n_layer", "num_layers"];
const MAX_LAYERS = 10_000;
const HEADS = ["num_attention_heads", "n_head", "num_heads"];
const KV_HEADS = ["num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num"];
const INTERMEDIATE = ["intermediate_size", "ffn_dim", "n_inner", "ffn_hidden_size"];
const EXPERTS = ["n_routed_experts", "num_local_experts", "num_experts", "moe_num_experts"];
const TOP_K = ["num_experts_per_tok", "experts_per_token", "moe_top_k", "num_experts_per_token"];
const VOCAB = ["vocab_size", "padded_vocab_size"];

const TORCH_DTYPES: Readonly<Record<string, Dtype>> = {
  bfloat16: "bf16",
  float16: "fp16",
  half: "fp16",
};

/** Weight formats from `quantization_config` and `torch_dtype` (newer transformers write `dtype`). */
function weightFormats(
  config: Config,
  warnings: string[],
): { weight: Dtype; expert: Dtype; unquantized: Dtype; blockSize: WeightBlockSize | null } {
  const declared = (config.torch_dtype ?? config.dtype) as unknown;
  let base: Dtype = "bf16";
  const declaredDtype = typeof declared === "string" ? ownEntry(TORCH_DTYPES, declared) : undefined;
  if (declaredDtype) base = declaredDtype;
  else if (declared === "float32") warnings.push("float32 checkpoint: weights assumed served in bf16");
  else if (declared === undefined || declared === null) warnings.push("no torch_dtype: weights assumed bf16");
  else
    warnings.push(
      `torch_dtype ${JSON.stringify(declared)} is not one of ${Object.keys(TORCH_DTYPES).join(", ")}, float32: weights assumed bf16`,
    );
  const quant = config.quantization_config as Config | undefined;
  const blockSize = null;
  if (!quant || typeof quant !== "object")
    return { weight: base, expert: base, unquantized: base, blockSize };
  const method = String(quant.quant_method ?? "").toLowerCase();
  if (method === "fp8")
    return { weight: "fp8", expert: "fp8", unquantized: base, blockSize: fp8BlockSize(quant, warnings) };
  if (method === "mxfp4") {
    const skipped = Array.isArray(quant.modules_to_not_convert)
      ? quant.modules_to_not_convert.map(String)
      : [];
    const attentionKept = skipped.some((module) => module.includes("attn"));
    return { weight: attentionKept ? base : "fp4", expert: "fp4", unquantized: base, blockSize };
  }
  const bits = typeof quant.bits === "number" ? quant.bits : undefined;
  if (bits === 4) return { weight: "int4", expert: "int4", unquantized: base, blockSize };
  if (bits === 8) return { weight: "int8", expert: "int8", unquantized: base, blockSize };
  warnings.push(`quantization_config.quant_method "${method}" not recognised: weights assumed ${base}`);
  return { weight: base, expert: base, unquantized: base, blockSize };
}

/**
 * An FP8 checkpoint's `weight_block_size` ([rows, columns] of weights per scale, DeepSeek-V3's
 * [128, 128]); none means per-tensor (or per-channel) scales.
 */
function fp8BlockSize(quant: Config, warnings: string[]): WeightBlockSize | null {
  const block = quant.weight_block_size;
  if (block === undefined || block === null) return null;
  if (
    Array.isArray(block) &&
    block.length === 2 &&
    block.every((edge) => typeof edge === "number" && Number.isInteger(edge) && edge > 0)
  )
    return [block[0] as number, block[1] as number];
  warnings.push(
    `quantization_config.weight_block_size ${JSON.stringify(block)} is not [rows, columns]: FP8 scales assumed per tensor`,
  );
  return null;
}

function readAttention(fields: FieldReader, family: FamilyDefaults, hidden: number): AttentionSpec {
  const numHeads = fields.requiredInt(HEADS);
  if (fields.has("kv_lora_rank")) {
    return {
      kind: "mla",
      numHeads,
      qLoraRank: fields.optionalInt(["q_lora_rank"]) ?? null,
      kvLoraRank: fields.requiredInt(["kv_lora_rank"]),
      qkNopeHeadDim: fields.requiredInt(["qk_nope_head_dim"], " for MLA"),
      qkRopeHeadDim: fields.requiredInt(["qk_rope_head_dim"], " for MLA"),
      vHeadDim: fields.requiredInt(["v_head_dim"], " for MLA"),
    };
  }
  const multiQuery = fields.bool("multi_query", false);
  const numKvHeads =
    multiQuery && !fields.bool("new_decoder_architecture", false)
      ? 1
      : (fields.optionalInt(KV_HEADS) ?? numHeads);
  const declaredHeadDim = fields.optionalInt(["head_dim", "kv_channels"]);
  if (declaredHeadDim === undefined && numHeads > 0 && hidden % numHeads !== 0)
    fields.issues.push({
      code: "invalid-value",
      path: ["hidden_size"],
      message: `hidden_size ${hidden} is not a multiple of the ${numHeads} attention heads; give head_dim`,
    });
  const headDim = declaredHeadDim ?? Math.floor(hidden / Math.max(1, numHeads));
  const biasKey = fields.has("attention_bias")
    ? "attention_bias"
    : fields.has("bias")
      ? "bias"
      : "enable_bias";
  const explicitBias = fields.has(biasKey) ? fields.bool(biasKey, false) : undefined;
  return {
    kind: "gqa",
    numHeads,
    numKvHeads,
    headDim,
    qkvBias: explicitBias ?? family.qkvBias,
    outputBias: explicitBias ?? family.outputBias,
    qkNorm: family.qkNorm,
    sinks: family.sinks,
  };
}

function slidingWindowOf(
  fields: FieldReader,
  modelType: string,
  index: number,
  numLayers: number,
): number | null {
  const window = fields.optionalInt(["sliding_window"]);
  if (window === undefined || fields.raw("use_sliding_window") === false) return null;
  const layerTypes = fields.raw("layer_types");
  if (Array.isArray(layerTypes) && layerTypes.length === numLayers) {
    return layerTypes[index] === "sliding_attention" ? window : null;
  }
  if (modelType === "gemma2") return index % 2 === 0 ? window : null;
  const pattern = fields.optionalInt(["sliding_window_pattern"]);
  if (pattern !== undefined) return (index + 1) % pattern === 0 ? null : window;
  const maxWindowLayers = fields.optionalInt(["max_window_layers"], 0);
  if (maxWindowLayers !== undefined) return index >= maxWindowLayers ? window : null;
  return window;
}

function isMoeLayer(fields: FieldReader, index: number): boolean {
  if (fields.has("first_k_dense_replace") || fields.has("moe_layer_freq")) {
    const firstDense = fields.optionalInt(["first_k_dense_replace"], 0) ?? 0;
    const frequency = fields.optionalInt(["moe_layer_freq"]) ?? 1;
    return index >= firstDense && index % frequency === 0;
  }
  const mlpOnly = fields.raw("mlp_only_layers");
  if (Array.isArray(mlpOnly) && mlpOnly.includes(index)) return false;
  const step = fields.optionalInt(["decoder_sparse_step"]) ?? 1;
  return (index + 1) % step === 0;
}

function readMoe(fields: FieldReader, family: FamilyDefaults, modelType: string): MoeSpec | null {
  const numExperts = fields.optionalInt(EXPERTS, 0);
  if (!numExperts) return null;
  const topK = fields.requiredInt(TOP_K, " for a mixture-of-experts model");
  const perExpertKey = fields.has("moe_intermediate_size") ? ["moe_intermediate_size"] : INTERMEDIATE;
  const expertWidth = fields.requiredInt(perExpertKey, " (expert width)");
  const expert: MlpSpec = { intermediateSize: expertWidth, gated: family.gated, bias: family.expertBias };
  let shared: MlpSpec | null = null;
  const sharedCount = fields.optionalInt(["n_shared_experts"], 0) ?? 0;
  const sharedWidth = fields.optionalInt(["shared_expert_intermediate_size"], 0) ?? 0;
  if (sharedCount > 0)
    shared = { intermediateSize: sharedCount * expertWidth, gated: family.gated, bias: false };
  else if (sharedWidth > 0) shared = { intermediateSize: sharedWidth, gated: family.gated, bias: false };
  if (topK > numExperts) {
    fields.issues.push({
      code: "invalid-value",
      path: [TOP_K.find((key) => fields.has(key)) ?? "num_experts_per_tok"],
      message: `top-k ${topK} exceeds the ${numExperts} experts`,
    });
  }
  const scoreCorrection = fields.raw("topk_method") === "noaux_tc" || modelType === "kimi_k2";
  return {
    numExperts,
    topK,
    expert,
    shared,
    routerBias: family.routerBias || scoreCorrection,
    sharedExpertGate: sharedWidth > 0,
  };
}

/**
 * Normalizes a Hugging Face `config.json` object into a ModelSpec. Dispatches on `model_type` only
 * for what the config leaves implicit (families.ts); every stated field is read as stated.
 *
 * @example
 * const result = modelFromHfConfig(JSON.parse(text), "meta-llama/Llama-3.1-70B");
 * if (result.ok) console.log(result.model.layers.length); // 80
 */
export function modelFromHfConfig(input: unknown, id: string): ImportResult {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return {
      ok: false,
      issues: [{ code: "invalid-type", path: [], message: "config.json must be a JSON object" }],
    };
  }
  const outer = input as Config;
  const config = (
    typeof outer.text_config === "object" && outer.text_config !== null
      ? { ...outer, ...(outer.text_config as Config) }
      : outer
  ) as Config;
  const warnings: string[] = [];
  const modelType = typeof config.model_type === "string" ? config.model_type : "";
  const knownFamily = ownEntry(FAMILIES, modelType);
  const family = knownFamily ?? GENERIC_FAMILY;
  if (!knownFamily) {
    warnings.push(
      `model_type "${modelType || "(none)"}" is not a known family: generic decoder defaults used (gated MLP, RMSNorm, untied)`,
    );
  }
  const fields = new FieldReader(config);
  const hiddenSize = fields.requiredInt(HIDDEN);
  const numLayers = fields.requiredInt(LAYERS);
  // Each layer is described one by one; a count no model has (the largest have a few hundred) is
  // a mistake in the file, said so, rather than an out-of-memory crash.
  if (numLayers > MAX_LAYERS)
    fields.issues.push({
      code: "invalid-value",
      path: [LAYERS.find((key) => fields.has(key)) ?? "num_hidden_layers"],
      message: `${numLayers} layers is not a model's layer count (at most ${MAX_LAYERS.toLocaleString("en-US")})`,
    });
  const vocabSize = fields.requiredInt(VOCAB);
  const attention = readAttention(fields, family, hiddenSize);
  const moe = readMoe(fields, family, modelType);

  const layers: LayerKind[] = [];
  for (let index = 0; index < numLayers && fields.issues.length === 0; index++) {
    layers.push({
      ffn: moe && isMoeLayer(fields, index) ? "moe" : "dense",
      slidingWindow: slidingWindowOf(fields, modelType, index, numLayers),
    });
  }

  let dense: MlpSpec | null = null;
  if (layers.some((layer) => layer.ffn === "dense") || (!moe && fields.issues.length > 0)) {
    const width =
      fields.optionalInt(INTERMEDIATE) ??
      (family.defaultIntermediateMultiple ? family.defaultIntermediateMultiple * hiddenSize : undefined);
    if (width === undefined && !INTERMEDIATE.some((key) => fields.has(key))) {
      fields.requiredInt(INTERMEDIATE, " (dense MLP width)");
    }
    const mlpBias = fields.has("mlp_bias") ? fields.bool("mlp_bias", false) : family.mlpBias;
    dense = {
      intermediateSize: Math.round((width ?? 1) * family.intermediateScale),
      gated: family.gated,
      bias: mlpBias,
    };
  }

  if (attention.kind === "gqa" && fields.issues.length === 0) {
    if (attention.numKvHeads > attention.numHeads || attention.numHeads % attention.numKvHeads !== 0) {
      fields.issues.push({
        code: "invalid-value",
        path: [KV_HEADS.find((key) => fields.has(key)) ?? "num_key_value_heads"],
        message: `${attention.numKvHeads} KV heads must divide the ${attention.numHeads} attention heads`,
      });
    }
  }
  if (fields.issues.length > 0) return { ok: false, issues: fields.issues };

  const formats = weightFormats(config, warnings);
  const learnedOffset = family.learnedPositionOffset;
  const maxPositions = fields.optionalInt(["max_position_embeddings", "n_positions", "seq_length"]) ?? null;
  const model: ModelSpec = {
    id,
    modelType,
    hiddenSize,
    numLayers,
    vocabSize,
    tieWordEmbeddings: fields.bool("tie_word_embeddings", family.tieWordEmbeddings),
    maxPositionEmbeddings: maxPositions,
    norm: family.norm,
    learnedPositions: learnedOffset !== null && maxPositions !== null ? maxPositions + learnedOffset : 0,
    embeddingNorm: family.embeddingNorm,
    // Falcon's parallel attention block has one norm per layer unless it uses the new (two-norm) architecture.
    normsPerLayer:
      fields.bool("parallel_attn", false) && !fields.bool("new_decoder_architecture", false)
        ? 1
        : family.normsPerLayer,
    attention,
    dense,
    moe,
    layers,
    mtpLayers: fields.optionalInt(["num_nextn_predict_layers"], 0) ?? 0,
    weightDtype: formats.weight,
    expertWeightDtype: formats.expert,
    unquantizedDtype: formats.unquantized,
    weightBlockSize: formats.blockSize,
    warnings,
  };
  return fields.issues.length > 0 ? { ok: false, issues: fields.issues } : { ok: true, model };
}
