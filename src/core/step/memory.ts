import { BYTES_PER_ELEMENT } from "../dtype.ts";
import { mlpParams, normParams, routerParams } from "../model/params.ts";
import type { LayerKind, ModelSpec } from "../model/types.ts";
import { activationBytes, type Op } from "../ops/types.ts";
import type { ResolvedPlan } from "../parallel/plan.ts";
import { kvHeadsPerGpu } from "./attention-ops.ts";
import type { StepDtypes } from "./dtypes.ts";
import type { StepWorkload } from "./workload.ts";

/** Memory one GPU needs, in bytes, for its pipeline stage. */
export interface MemoryReport {
  readonly weightsBytes: number;
  readonly kvCacheBytes: number;
  /** Peak transient activations: the largest op's inputs and outputs plus the residual stream. */
  readonly activationsBytes: number;
  readonly totalBytes: number;
  /** HBM capacity of the GPU. */
  readonly capacityBytes: number;
  /** Capacity times the memory-utilization limit (vLLM's gpu_memory_utilization). */
  readonly usableBytes: number;
  readonly fits: boolean;
  /** The stage these figures are for (the one needing the most memory). */
  readonly stage: number;
}

/**
 * Attention weights on one GPU: TP-sharded projections plus replicated latent down-projections;
 * norms, biases and sinks in the checkpoint's unquantized format.
 */
export function attentionWeightBytes(model: ModelSpec, plan: ResolvedPlan, dtypes: StepDtypes): number {
  const w = BYTES_PER_ELEMENT[dtypes.weight];
  const a = BYTES_PER_ELEMENT[model.unquantizedDtype];
  const h = model.hiddenSize;
  const attention = model.attention;
  const heads = attention.numHeads / plan.tp;
  if (attention.kind === "mla") {
    const latent = attention.kvLoraRank + attention.qkRopeHeadDim;
    const qkHeadDim = attention.qkNopeHeadDim + attention.qkRopeHeadDim;
    const query =
      attention.qLoraRank === null
        ? h * heads * qkHeadDim * w
        : (h * attention.qLoraRank + attention.qLoraRank * heads * qkHeadDim) * w + attention.qLoraRank * a;
    const kv =
      h * latent * w +
      attention.kvLoraRank * a +
      attention.kvLoraRank * heads * (attention.qkNopeHeadDim + attention.vHeadDim) * w;
    return query + kv + heads * attention.vHeadDim * h * w;
  }
  const kvHeads = kvHeadsPerGpu(attention, plan.tp);
  const qkv = (heads + 2 * kvHeads) * attention.headDim;
  const projections = (h * qkv + heads * attention.headDim * h) * w;
  const biases = ((attention.qkvBias ? qkv : 0) + (attention.outputBias ? h : 0)) * a;
  return (
    projections +
    biases +
    (attention.qkNorm ? 2 * attention.headDim * a : 0) +
    (attention.sinks ? heads * a : 0)
  );
}

/** Weights one GPU holds for one decoder layer. */
export function layerWeightBytesPerGpu(
  model: ModelSpec,
  layer: LayerKind,
  plan: ResolvedPlan,
  dtypes: StepDtypes,
): number {
  const a = BYTES_PER_ELEMENT[model.unquantizedDtype];
  const w = BYTES_PER_ELEMENT[dtypes.weight];
  const common = attentionWeightBytes(model, plan, dtypes) + model.normsPerLayer * normParams(model) * a;
  if (layer.ffn === "moe" && model.moe) {
    const moe = model.moe;
    const router = routerParams(model) * a;
    const experts =
      (plan.expertSlotsPerRank *
        mlpParams(model.hiddenSize, moe.expert) *
        BYTES_PER_ELEMENT[dtypes.expertWeight]) /
      plan.expertTp;
    const shared = moe.shared ? (mlpParams(model.hiddenSize, moe.shared) * w) / plan.tp : 0;
    return common + router + experts + shared;
  }
  return common + (model.dense ? (mlpParams(model.hiddenSize, model.dense) * w) / plan.tp : 0);
}

/** KV-cache bytes per cached token for one layer on one GPU. */
export function kvBytesPerTokenPerGpu(model: ModelSpec, plan: ResolvedPlan, dtypes: StepDtypes): number {
  const kv = BYTES_PER_ELEMENT[dtypes.kvCache];
  const attention = model.attention;
  if (attention.kind === "mla") return (attention.kvLoraRank + attention.qkRopeHeadDim) * kv;
  return 2 * kvHeadsPerGpu(attention, plan.tp) * attention.headDim * kv;
}

/**
 * KV cache of one layer on one GPU: every sequence of the step, times the micro-batches a pipeline
 * keeps in flight (pp), times its cached length (capped by a sliding window).
 */
export function layerKvBytesPerGpu(
  model: ModelSpec,
  layer: LayerKind,
  plan: ResolvedPlan,
  dtypes: StepDtypes,
  workload: StepWorkload,
): number {
  const cap = (tokens: number) =>
    layer.slidingWindow === null ? tokens : Math.min(tokens, layer.slidingWindow);
  const prefillTokens = workload.prefill
    ? workload.prefill.sequences * cap(workload.prefill.cachedTokens + workload.prefill.newTokens)
    : 0;
  const decodeTokens = workload.decode ? workload.decode.sequences * cap(workload.decode.contextTokens) : 0;
  return (prefillTokens + decodeTokens) * plan.pp * kvBytesPerTokenPerGpu(model, plan, dtypes);
}

/** Embedding table and LM head bytes per GPU (vocab-parallel over TP, in the unquantized format). */
export function embeddingWeightBytesPerGpu(model: ModelSpec, plan: ResolvedPlan) {
  const a = BYTES_PER_ELEMENT[model.unquantizedDtype];
  const table = (model.vocabSize / plan.tp + model.learnedPositions) * model.hiddenSize * a;
  const embedding = table + (model.embeddingNorm ? normParams(model) * a : 0);
  const separateHead = !model.tieWordEmbeddings || plan.pp > 1;
  const head =
    (separateHead ? (model.vocabSize / plan.tp) * model.hiddenSize * a : 0) + normParams(model) * a;
  return { embedding, head };
}

/** Peak transient activation bytes of a set of ops (largest single op plus the residual stream). */
export function peakActivationBytes(ops: readonly Op[], residualBytes: number): number {
  let peak = 0;
  for (const op of ops) peak = Math.max(peak, activationBytes(op));
  return peak + residualBytes;
}
