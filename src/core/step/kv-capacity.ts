import { BYTES_PER_ELEMENT } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import { InputError } from "../issues.ts";
import type { ModelSpec } from "../model/types.ts";
import { completePlan, type ParallelPlan, resolvePlan } from "../parallel/plan.ts";
import { resolveDtypes, type StepDtypes } from "./dtypes.ts";
import { kvBytesPerTokenPerGpu } from "./memory.ts";
import { DEFAULT_MEMORY_UTILIZATION, simulateStep } from "./simulate.ts";

export interface KvCapacity {
  /** Tokens of KV cache a replica can hold (per attention-DP group, summed over groups). */
  readonly tokens: number;
  /** Bytes of KV cache per token for the whole model (all layers, all TP shards), for transfers. */
  readonly bytesPerTokenWholeModel: number;
  readonly weightsBytesPerGpu: number;
  readonly reservedActivationBytesPerGpu: number;
  readonly usableBytesPerGpu: number;
}

/**
 * KV-cache capacity of a replica from the engine's memory model: per GPU of the heaviest stage,
 * usable HBM minus weights minus the activations of a `maxBatchedTokens` step, divided by the KV
 * bytes one token takes on that GPU (all of the stage's layers). Throws InputError when the
 * weights alone do not fit.
 */
export function kvCapacity(
  model: ModelSpec,
  hardware: HardwareSpec,
  parallel: Partial<ParallelPlan>,
  maxBatchedTokens: number,
  dtypes: Partial<StepDtypes> = {},
  memoryUtilization = DEFAULT_MEMORY_UTILIZATION,
): KvCapacity {
  const plan = resolvePlan(model, completePlan(parallel));
  const resolvedDtypes = resolveDtypes(model, hardware, dtypes);
  const probe = simulateStep({
    model,
    hardware,
    parallel,
    dtypes,
    workload: {
      prefill: {
        sequences: 1,
        newTokens: Math.max(1, Math.ceil(maxBatchedTokens / plan.dp)),
        cachedTokens: 0,
      },
      decode: null,
    },
    ignoreMemory: true,
    detail: "totals",
    memoryUtilization,
  });
  const memory = probe.memory;
  const free = memory.usableBytes - memory.weightsBytes - memory.activationsBytes;
  const perTokenPerLayer = kvBytesPerTokenPerGpu(model, plan, resolvedDtypes);
  const layers = Math.max(...plan.layersPerStage);
  if (free <= perTokenPerLayer * layers) {
    throw new InputError([
      {
        code: "does-not-fit",
        path: ["parallel"],
        message: `${model.id} does not fit ${hardware.name} with tp ${plan.tp}, pp ${plan.pp}, dp ${plan.dp}: weights ${(memory.weightsBytes / 1e9).toFixed(1)} GB + activations ${(memory.activationsBytes / 1e9).toFixed(1)} GB per GPU leave no room for KV cache in ${(memory.usableBytes / 1e9).toFixed(1)} GB usable`,
      },
    ]);
  }
  const tokensPerGroup = Math.floor(free / (perTokenPerLayer * layers));
  return {
    tokens: tokensPerGroup * plan.dp,
    bytesPerTokenWholeModel: kvBytesPerTokenWholeModel(model, hardware, dtypes),
    weightsBytesPerGpu: memory.weightsBytes,
    reservedActivationBytesPerGpu: memory.activationsBytes,
    usableBytesPerGpu: memory.usableBytes,
  };
}

/**
 * KV-cache bytes of one token for the whole model, every layer, each KV head once (TP shards and
 * their replicas hold no more than this between them): what a prefill-to-decode hand-off moves.
 */
export function kvBytesPerTokenWholeModel(
  model: ModelSpec,
  hardware: HardwareSpec,
  dtypes: Partial<StepDtypes> = {},
): number {
  const kv = BYTES_PER_ELEMENT[resolveDtypes(model, hardware, dtypes).kvCache];
  const attention = model.attention;
  const perLayer =
    attention.kind === "mla"
      ? (attention.kvLoraRank + attention.qkRopeHeadDim) * kv
      : 2 * attention.numKvHeads * attention.headDim * kv;
  return perLayer * model.numLayers;
}
