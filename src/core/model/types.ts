import type { Dtype, WeightBlockSize } from "../dtype.ts";

/** Grouped-query attention (covers MHA when numKvHeads = numHeads and MQA when it is 1). */
export interface GqaAttentionSpec {
  readonly kind: "gqa";
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  /** Bias on the Q, K and V projections (Qwen2, OPT, BLOOM, gpt-oss). */
  readonly qkvBias: boolean;
  /** Bias on the output projection. */
  readonly outputBias: boolean;
  /** Per-head RMSNorm on Q and K (Qwen3, Gemma 3). */
  readonly qkNorm: boolean;
  /** Learned per-head attention sinks (gpt-oss). */
  readonly sinks: boolean;
}

/** DeepSeek multi-head latent attention (arXiv:2405.04434 section 2.1). */
export interface MlaAttentionSpec {
  readonly kind: "mla";
  readonly numHeads: number;
  /** Rank of the query down-projection; null when queries are projected directly (V2-Lite). */
  readonly qLoraRank: number | null;
  readonly kvLoraRank: number;
  readonly qkNopeHeadDim: number;
  readonly qkRopeHeadDim: number;
  readonly vHeadDim: number;
}

export type AttentionSpec = GqaAttentionSpec | MlaAttentionSpec;

/** A feed-forward block (dense MLP or one expert). */
export interface MlpSpec {
  readonly intermediateSize: number;
  /** Gated (SwiGLU/GeGLU: gate, up, down) or plain (up, down). */
  readonly gated: boolean;
  readonly bias: boolean;
}

export interface MoeSpec {
  readonly numExperts: number;
  readonly topK: number;
  readonly expert: MlpSpec;
  /** Always-active shared experts folded into one MLP (DeepSeek n_shared_experts x moe size, Qwen2-MoE). */
  readonly shared: MlpSpec | null;
  /** Router has a bias or score-correction vector of numExperts entries. */
  readonly routerBias: boolean;
  /** A sigmoid gate of hidden x 1 on the shared expert output (Qwen2-MoE). */
  readonly sharedExpertGate: boolean;
}

/** What one decoder layer holds. Layers with equal kinds are costed once. */
export interface LayerKind {
  readonly ffn: "dense" | "moe";
  /** Sliding attention window in tokens; null for full attention. */
  readonly slidingWindow: number | null;
}

/** A model normalized from a Hugging Face config.json. Parameter counts are derived from it. */
export interface ModelSpec {
  /** Hugging Face id or the file it came from. */
  readonly id: string;
  readonly modelType: string;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly vocabSize: number;
  readonly tieWordEmbeddings: boolean;
  readonly maxPositionEmbeddings: number | null;
  readonly norm: "rmsnorm" | "layernorm";
  /** Learned absolute position embeddings (OPT, GPT-2): rows in the table; 0 for RoPE/ALiBi. */
  readonly learnedPositions: number;
  /** LayerNorm right after the token embedding (BLOOM). */
  readonly embeddingNorm: boolean;
  /** Norms per decoder layer: 2 (pre-attention, pre-FFN), 4 for Gemma 2/3 (post norms), 1 for Falcon's parallel block. */
  readonly normsPerLayer: number;
  readonly attention: AttentionSpec;
  /** Dense MLP; null when every layer is MoE. */
  readonly dense: MlpSpec | null;
  readonly moe: MoeSpec | null;
  /** One entry per decoder layer, in order. */
  readonly layers: readonly LayerKind[];
  /** DeepSeek multi-token-prediction modules (not counted in totalParams, as the model cards do). */
  readonly mtpLayers: number;
  /** Checkpoint weight format of non-expert weights. */
  readonly weightDtype: Dtype;
  /** Checkpoint weight format of routed-expert weights (gpt-oss: MXFP4 experts, bf16 elsewhere). */
  readonly expertWeightDtype: Dtype;
  /**
   * Format of the tensors quantization leaves alone — embeddings, LM head, norms, router, biases —
   * the checkpoint's torch_dtype (FP8, MXFP4 and 4/8-bit checkpoints keep these unquantized).
   */
  readonly unquantizedDtype: Dtype;
  /**
   * Rows x columns of weights sharing one scale in an FP8 checkpoint with block scales
   * (`quantization_config.weight_block_size`: DeepSeek-V3's 128 x 128); null for per-tensor scales
   * or another format.
   */
  readonly weightBlockSize: WeightBlockSize | null;
  /** Caveats met while importing (e.g. "float32 checkpoint served as bf16"). */
  readonly warnings: readonly string[];
}
