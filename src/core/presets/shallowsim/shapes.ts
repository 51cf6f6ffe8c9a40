import { embeddingParams, mlpParams } from "../../model/params.ts";
import type { ModelSpec } from "../../model/types.ts";
import { EXPERT_PARAMS_M, MLA_PARAMS_M, OTHER_PARAMS_GB } from "./assumptions.ts";

/**
 * The attention shapes ShallowSim's formulas need, per token and layer, for any model: its MLA
 * formulas for MLA models (SPEC §4.2, §5.1), and the same split for GQA models (projections as
 * the GEMM part; scores, weighted sum and output projection as the FP16 part).
 */
export interface AttentionShape {
  /** Decode GEMM-part FLOPs per token (absorbed MLA, KV down-projection skipped). */
  readonly decodeGemmFlops: number;
  /** Decode FP16-part FLOPs per token at KV length s: a + b·s. */
  readonly decodeAttentionFlopsBase: number;
  readonly decodeAttentionFlopsPerKey: number;
  /** Prefill GEMM MACs per token: constant part, plus the KV down-projection part discounted by the cache hit rate. */
  readonly prefillGemmMacs: number;
  readonly prefillKvDownMacs: number;
  /** Prefill FP16 MACs: per token (output projection) and per query-key pair (full S x S, no causal halving). */
  readonly prefillAttentionMacsPerToken: number;
  readonly prefillAttentionMacsPerPair: number;
  /** Attention weights of one layer, elements. */
  readonly weightElements: number;
  /** KV-cache elements per token and layer. */
  readonly kvElementsPerToken: number;
}

export function attentionShape(model: ModelSpec): AttentionShape {
  const d = model.hiddenSize;
  const a = model.attention;
  if (a.kind === "mla") {
    const h = a.numHeads;
    const q = a.qLoraRank ?? d;
    const qDown = a.qLoraRank === null ? 0 : d * a.qLoraRank;
    const latent = a.kvLoraRank + a.qkRopeHeadDim;
    return {
      decodeGemmFlops:
        2 * (qDown + q * h * a.qkRopeHeadDim + h * (q * a.qkNopeHeadDim + a.qkNopeHeadDim * a.kvLoraRank)),
      decodeAttentionFlopsBase: 2 * (h * a.vHeadDim * a.kvLoraRank + h * a.vHeadDim * d),
      decodeAttentionFlopsPerKey: 2 * h * (a.qkRopeHeadDim + 2 * a.kvLoraRank),
      prefillGemmMacs:
        qDown +
        q * h * (a.qkNopeHeadDim + a.qkRopeHeadDim) +
        a.kvLoraRank * h * (a.qkNopeHeadDim + a.vHeadDim),
      prefillKvDownMacs: d * latent,
      prefillAttentionMacsPerToken: h * a.vHeadDim * d,
      prefillAttentionMacsPerPair: h * (a.qkRopeHeadDim + a.qkNopeHeadDim + a.vHeadDim),
      weightElements:
        qDown +
        q * h * (a.qkNopeHeadDim + a.qkRopeHeadDim) +
        a.kvLoraRank * h * a.qkNopeHeadDim +
        d * latent +
        a.kvLoraRank * h * a.vHeadDim +
        h * a.vHeadDim * d,
      kvElementsPerToken: latent,
    };
  }
  const qkv = (a.numHeads + 2 * a.numKvHeads) * a.headDim;
  const out = a.numHeads * a.headDim;
  return {
    decodeGemmFlops: 2 * d * qkv,
    decodeAttentionFlopsBase: 2 * out * d,
    decodeAttentionFlopsPerKey: 4 * out,
    prefillGemmMacs: d * (a.numHeads * a.headDim),
    prefillKvDownMacs: d * 2 * a.numKvHeads * a.headDim,
    prefillAttentionMacsPerToken: out * d,
    prefillAttentionMacsPerPair: 2 * out,
    weightElements: d * qkv + out * d,
    kvElementsPerToken: 2 * a.numKvHeads * a.headDim,
  };
}

/** Layer counts and expert widths the preset reads from the model. */
export interface MoeShape {
  readonly denseLayers: number;
  readonly sparseLayers: number;
  readonly routedExperts: number;
  readonly topK: number;
  /** Elements of one routed expert (3 matrices for gated MLPs). */
  readonly expertElements: number;
  /** Per-token FLOPs of one routed expert and of the shared experts (0 without). */
  readonly expertFlopsPerToken: number;
  readonly sharedFlopsPerToken: number;
  readonly sharedElements: number;
  /** Dense MLP FLOPs per token and elements. */
  readonly denseFlopsPerToken: number;
  readonly denseElements: number;
}

export function moeShape(model: ModelSpec): MoeShape {
  const moe = model.moe;
  if (!moe) throw new RangeError(`${model.id} has no experts`);
  const h = model.hiddenSize;
  const flopsPerToken = (width: number, gated: boolean) => 2 * (gated ? 3 : 2) * h * width;
  const sparseLayers = model.layers.filter((layer) => layer.ffn === "moe").length;
  return {
    denseLayers: model.layers.length - sparseLayers,
    sparseLayers,
    routedExperts: moe.numExperts,
    topK: moe.topK,
    expertElements: mlpParams(h, { ...moe.expert, bias: false }),
    expertFlopsPerToken: flopsPerToken(moe.expert.intermediateSize, moe.expert.gated),
    sharedFlopsPerToken: moe.shared ? flopsPerToken(moe.shared.intermediateSize, moe.shared.gated) : 0,
    sharedElements: moe.shared ? mlpParams(h, { ...moe.shared, bias: false }) : 0,
    denseFlopsPerToken: model.dense ? flopsPerToken(model.dense.intermediateSize, model.dense.gated) : 0,
    denseElements: model.dense ? mlpParams(h, { ...model.dense, bias: false }) : 0,
  };
}

/**
 * The memory filter's parameter sizes: ShallowSim's constants for DeepSeek-V3's layer shape (any
 * layer count or top-k, as its sweeps vary them), derived from the model otherwise.
 */
export interface MemoryConstants {
  readonly attentionParamsM: number;
  readonly expertParamsM: number;
  readonly otherGB: number;
}

const isDeepSeekV3Shape = (model: ModelSpec): boolean =>
  model.attention.kind === "mla" &&
  model.hiddenSize === 7168 &&
  model.attention.numHeads === 128 &&
  model.attention.kvLoraRank === 512 &&
  model.attention.qLoraRank === 1536 &&
  model.moe?.numExperts === 256 &&
  model.moe.expert.intermediateSize === 2048;

export function memoryConstants(model: ModelSpec): MemoryConstants {
  if (isDeepSeekV3Shape(model)) {
    return { attentionParamsM: MLA_PARAMS_M, expertParamsM: EXPERT_PARAMS_M, otherGB: OTHER_PARAMS_GB };
  }
  const shape = moeShape(model);
  const { embedding, lmHead } = embeddingParams(model);
  return {
    attentionParamsM: attentionShape(model).weightElements / 1e6,
    expertParamsM: shape.expertElements / 1e6,
    otherGB: (embedding + lmHead + shape.denseLayers * shape.denseElements) / 1e9,
  };
}
