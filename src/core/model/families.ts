/**
 * Per-family defaults for what a Hugging Face config.json leaves implicit. Each entry mirrors the
 * defaults of the matching `transformers` configuration class; everything a config states
 * explicitly overrides these.
 */
export interface FamilyDefaults {
  /** Gated MLP (SwiGLU/GeGLU, three matrices) rather than up/down. */
  readonly gated: boolean;
  readonly norm: "rmsnorm" | "layernorm";
  /** tie_word_embeddings when the config omits it. */
  readonly tieWordEmbeddings: boolean;
  /** Q/K/V projection bias when the config has no bias key (Qwen2 always has it). */
  readonly qkvBias: boolean;
  readonly outputBias: boolean;
  readonly mlpBias: boolean;
  /** Per-head RMSNorm on Q and K. */
  readonly qkNorm: boolean;
  /** Learned position table of max_position_embeddings + this offset rows (OPT: 2); null for none. */
  readonly learnedPositionOffset: number | null;
  readonly embeddingNorm: boolean;
  /** Norms per decoder layer. */
  readonly normsPerLayer: number;
  /** Multiplier from config intermediate_size to one MLP matrix width (Qwen v1 stores twice the width). */
  readonly intermediateScale: number;
  /** MLP width as a multiple of hidden when no intermediate size is given (BLOOM, Falcon: 4). */
  readonly defaultIntermediateMultiple: number | null;
  /** Attention sinks (gpt-oss). */
  readonly sinks: boolean;
  /** Experts carry biases (gpt-oss). */
  readonly expertBias: boolean;
  /** Router carries a bias (gpt-oss) in addition to any e_score_correction_bias. */
  readonly routerBias: boolean;
}

const decoderDefaults: FamilyDefaults = {
  gated: true,
  norm: "rmsnorm",
  tieWordEmbeddings: false,
  qkvBias: false,
  outputBias: false,
  mlpBias: false,
  qkNorm: false,
  learnedPositionOffset: null,
  embeddingNorm: false,
  normsPerLayer: 2,
  intermediateScale: 1,
  defaultIntermediateMultiple: null,
  sinks: false,
  expertBias: false,
  routerBias: false,
};

const withDefaults = (overrides: Partial<FamilyDefaults>): FamilyDefaults => ({
  ...decoderDefaults,
  ...overrides,
});

const falcon = withDefaults({
  gated: false,
  norm: "layernorm",
  tieWordEmbeddings: true,
  defaultIntermediateMultiple: 4,
});

/** Known `model_type` values. Others import with `decoderDefaults` and a warning. */
export const FAMILIES: Readonly<Record<string, FamilyDefaults>> = {
  llama: decoderDefaults,
  mistral: decoderDefaults,
  mixtral: decoderDefaults,
  internlm: decoderDefaults,
  internlm2: decoderDefaults,
  qwen2: withDefaults({ qkvBias: true }),
  qwen2_moe: withDefaults({ qkvBias: true }),
  qwen3: withDefaults({ qkNorm: true }),
  qwen3_moe: withDefaults({ qkNorm: true }),
  qwen: withDefaults({ qkvBias: true, intermediateScale: 0.5 }),
  deepseek_v2: decoderDefaults,
  deepseek_v3: decoderDefaults,
  kimi_k2: decoderDefaults,
  gemma: withDefaults({ tieWordEmbeddings: true }),
  gemma2: withDefaults({ tieWordEmbeddings: true, normsPerLayer: 4 }),
  gemma3_text: withDefaults({ tieWordEmbeddings: true, qkNorm: true, normsPerLayer: 4 }),
  gpt_oss: withDefaults({ sinks: true, expertBias: true, routerBias: true }),
  opt: withDefaults({
    gated: false,
    norm: "layernorm",
    tieWordEmbeddings: true,
    qkvBias: true,
    outputBias: true,
    mlpBias: true,
    learnedPositionOffset: 2,
  }),
  bloom: withDefaults({
    gated: false,
    norm: "layernorm",
    tieWordEmbeddings: true,
    qkvBias: true,
    outputBias: true,
    mlpBias: true,
    embeddingNorm: true,
    defaultIntermediateMultiple: 4,
  }),
  falcon: falcon,
  // The first Falcon checkpoints shipped before `falcon` joined transformers.
  RefinedWebModel: falcon,
  RefinedWeb: falcon,
};

export const GENERIC_FAMILY = decoderDefaults;
