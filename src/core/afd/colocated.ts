import type { HardwareSpec } from "../hardware/types.ts";
import { InputError } from "../issues.ts";
import type { ModelSpec } from "../model/types.ts";
import type { Predictor } from "../predictor/types.ts";
import type { StepDtypes } from "../step/dtypes.ts";
import { OVERLAP_POLICIES, type OverlapPolicy } from "../step/overlap.ts";
import { simulateStep } from "../step/simulate.ts";
import type { StepWorkload } from "../step/workload.ts";

/** The same GPUs as one co-located deployment (attention-DP with EP over all of them). */
export interface ColocatedResult {
  readonly gpus: number;
  /** ceil(attention GPUs x their batch / GPUs): the AFD split's sequences, spread over every GPU. */
  readonly batchPerGpu: number;
  /** The faster of no overlap and two-micro-batch overlap; null when the step could not run. */
  readonly overlap: OverlapPolicy | null;
  readonly stepMs: number | null;
  readonly tokensPerSecPerGpu: number | null;
  readonly fits: boolean | null;
  /** Why the engine could not run it, when it could not. */
  readonly note: string | null;
}

export interface ColocatedInput {
  readonly model: ModelSpec;
  readonly hardware: HardwareSpec;
  readonly workload: StepWorkload;
  readonly expertImbalance?: number;
  readonly redundantExperts?: number;
  readonly dtypes?: Partial<StepDtypes>;
  readonly predictor: Predictor;
  readonly memoryUtilization?: number;
}

const withSequences = (workload: StepWorkload, sequences: number): StepWorkload => ({
  prefill: workload.prefill ? { ...workload.prefill, sequences } : null,
  decode: workload.decode ? { ...workload.decode, sequences } : null,
});

/** The normal engine step (simulateStep) on `gpus` GPUs: TP 1, DP = EP = gpus. */
export function colocatedStep(input: ColocatedInput, gpus: number, batchPerGpu: number): ColocatedResult {
  const base = { gpus, batchPerGpu };
  let best: ColocatedResult | null = null;
  for (const overlap of OVERLAP_POLICIES.filter((policy) => policy !== "full")) {
    try {
      const result = simulateStep({
        model: input.model,
        hardware: input.hardware,
        workload: withSequences(input.workload, batchPerGpu),
        parallel: {
          tp: 1,
          dp: gpus,
          ep: input.model.moe ? gpus : 1,
          redundantExperts: input.redundantExperts ?? 0,
          expertImbalance: input.expertImbalance ?? 1,
        },
        overlap,
        predictor: input.predictor,
        ...(input.dtypes ? { dtypes: input.dtypes } : {}),
        ...(input.memoryUtilization !== undefined ? { memoryUtilization: input.memoryUtilization } : {}),
        ignoreMemory: true,
        detail: "totals",
      });
      const totals = result.totals;
      if (totals && (best === null || totals.tokensPerSecPerGpu > (best.tokensPerSecPerGpu ?? 0))) {
        best = {
          ...base,
          overlap,
          stepMs: totals.latencyMs,
          tokensPerSecPerGpu: totals.tokensPerSecPerGpu,
          fits: result.memory.fits,
          note: null,
        };
      }
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const note = error.issues.map((issue) => issue.message).join("; ");
      return { ...base, overlap: null, stepMs: null, tokensPerSecPerGpu: null, fits: null, note };
    }
  }
  return best as ColocatedResult;
}
