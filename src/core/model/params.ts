import type { AttentionSpec, LayerKind, MlpSpec, ModelSpec } from "./types.ts";

/** Weights of one MLP (dense or one expert). */
export function mlpParams(hidden: number, mlp: MlpSpec): number {
  const matrices = mlp.gated ? 3 : 2;
  const bias = mlp.bias ? (mlp.gated ? 2 : 1) * mlp.intermediateSize + hidden : 0;
  return matrices * hidden * mlp.intermediateSize + bias;
}

/** Weights of one attention block: projections, biases, per-head norms, sinks, MLA latent norms. */
export function attentionParams(hidden: number, attention: AttentionSpec): number {
  if (attention.kind === "mla") {
    const h = attention.numHeads;
    const qkHeadDim = attention.qkNopeHeadDim + attention.qkRopeHeadDim;
    const query =
      attention.qLoraRank === null
        ? hidden * h * qkHeadDim
        : hidden * attention.qLoraRank + attention.qLoraRank + attention.qLoraRank * h * qkHeadDim;
    const kvDown = hidden * (attention.kvLoraRank + attention.qkRopeHeadDim) + attention.kvLoraRank;
    const kvUp = attention.kvLoraRank * h * (attention.qkNopeHeadDim + attention.vHeadDim);
    const output = h * attention.vHeadDim * hidden;
    return query + kvDown + kvUp + output;
  }
  const qWidth = attention.numHeads * attention.headDim;
  const kvWidth = attention.numKvHeads * attention.headDim;
  const projections = hidden * (qWidth + 2 * kvWidth) + qWidth * hidden;
  const bias = (attention.qkvBias ? qWidth + 2 * kvWidth : 0) + (attention.outputBias ? hidden : 0);
  const qkNorm = attention.qkNorm ? 2 * attention.headDim : 0;
  const sinks = attention.sinks ? attention.numHeads : 0;
  return projections + bias + qkNorm + sinks;
}

/** One norm's parameters (LayerNorm has a bias). */
export function normParams(model: ModelSpec): number {
  return model.norm === "layernorm" ? 2 * model.hiddenSize : model.hiddenSize;
}

/** Router (gate) weights of one MoE layer. */
export function routerParams(model: ModelSpec): number {
  if (!model.moe) return 0;
  const { numExperts, routerBias, sharedExpertGate } = model.moe;
  return (
    model.hiddenSize * numExperts + (routerBias ? numExperts : 0) + (sharedExpertGate ? model.hiddenSize : 0)
  );
}

/** Parameters of one decoder layer; `activeOnly` counts top-k routed experts instead of all. */
export function layerParams(model: ModelSpec, layer: LayerKind, activeOnly: boolean): number {
  const h = model.hiddenSize;
  const common = attentionParams(h, model.attention) + model.normsPerLayer * normParams(model);
  if (layer.ffn === "dense" || !model.moe) return common + (model.dense ? mlpParams(h, model.dense) : 0);
  const moe = model.moe;
  const routed = (activeOnly ? moe.topK : moe.numExperts) * mlpParams(h, moe.expert);
  const shared = moe.shared ? mlpParams(h, moe.shared) : 0;
  return common + routerParams(model) + routed + shared;
}

/** Token embedding (+ learned positions, embedding norm) and the LM head if untied, plus the final norm. */
export function embeddingParams(model: ModelSpec): { embedding: number; lmHead: number; finalNorm: number } {
  const h = model.hiddenSize;
  const embedding =
    model.vocabSize * h + model.learnedPositions * h + (model.embeddingNorm ? normParams(model) : 0);
  return {
    embedding,
    lmHead: model.tieWordEmbeddings ? 0 : model.vocabSize * h,
    finalNorm: normParams(model),
  };
}

export interface ParamCounts {
  /** All weights of the main model (embeddings and LM head included, MTP modules excluded). */
  readonly totalParams: number;
  /** Weights touched per token: everything but the routed experts a token is not sent to. */
  readonly activeParams: number;
  /**
   * activeParams without the input embedding table (a lookup, not a matmul), the convention of the
   * gpt-oss model card (arXiv:2508.10925 Table 1: unembedding counted, embedding not).
   */
  readonly activeParamsWithoutEmbedding: number;
  /** totalParams without the token embedding, position table and LM head. */
  readonly nonEmbeddingParams: number;
  /** DeepSeek multi-token-prediction modules (eh_proj, two norms and one MoE layer each). */
  readonly mtpParams: number;
}

/**
 * Derives parameter counts from the architecture (no typed-in figures).
 *
 * @example
 * countParams(deepseekV3).totalParams; // 671.03e9
 */
export function countParams(model: ModelSpec): ParamCounts {
  let total = 0;
  let active = 0;
  for (const layer of model.layers) {
    total += layerParams(model, layer, false);
    active += layerParams(model, layer, true);
  }
  const { embedding, lmHead, finalNorm } = embeddingParams(model);
  const lastLayer = model.layers[model.layers.length - 1];
  const mtpModule =
    lastLayer === undefined
      ? 0
      : 2 * model.hiddenSize * model.hiddenSize +
        3 * normParams(model) +
        layerParams(model, lastLayer, false);
  return {
    totalParams: total + embedding + lmHead + finalNorm,
    activeParams: active + embedding + lmHead + finalNorm,
    activeParamsWithoutEmbedding: active + model.vocabSize * model.hiddenSize + finalNorm,
    nonEmbeddingParams: total + finalNorm,
    mtpParams: model.mtpLayers * mtpModule,
  };
}
