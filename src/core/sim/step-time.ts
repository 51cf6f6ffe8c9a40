import type { AllReduceImplementation } from "../collectives/custom-all-reduce.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import type { ModelSpec } from "../model/types.ts";
import type { ParallelPlan } from "../parallel/plan.ts";
import type { Predictor } from "../predictor/types.ts";
import type { StepDtypes } from "../step/dtypes.ts";
import type { OverlapPolicy } from "../step/overlap.ts";
import { simulateStep } from "../step/simulate.ts";

/** Time of one scheduler iteration of a replica (one micro-batch through its pipeline stages). */
export interface StepTimeModel {
  /** Pipeline stages of the replica (the length of `stageMs`' answers). */
  readonly stages: number;
  /**
   * Milliseconds each pipeline stage spends on an iteration that prefills `prefillTokens` new
   * tokens over `prefillSeqs` sequences and decodes one token for each of `decodeSeqs` sequences
   * holding `decodeContextTokens` cached tokens in all. The array is shared: read, do not keep.
   */
  stageMs(
    prefillTokens: number,
    prefillSeqs: number,
    decodeSeqs: number,
    decodeContextTokens: number,
  ): Float64Array;
  /** Iterations priced by the engine so far (memo misses), for reporting. */
  readonly evaluations: () => number;
}

/**
 * DéjàVu-style constants: a fixed whole-model prefill pass and a fixed decode step, whatever the
 * batch, split evenly over `stages` pipeline stages (DéjàVu divides whole-model times by the stage count).
 */
export function constantStepTime(prefillMs: number, decodeMs: number, stages = 1): StepTimeModel {
  const out = new Float64Array(stages);
  return {
    stages,
    stageMs: (prefillTokens, _prefillSeqs, decodeSeqs) => {
      out.fill(((prefillTokens > 0 ? prefillMs : 0) + (decodeSeqs > 0 ? decodeMs : 0)) / stages);
      return out;
    },
    evaluations: () => 0,
  };
}

/**
 * Rounds up to a value with a 4-bit mantissa (x ≤ 32 exact): at most ~6% above x, so the memo
 * holds a few thousand shapes while step times stay within a few percent.
 */
export function bucketUp(x: number): number {
  if (x <= 32) return Math.ceil(x);
  const exponent = Math.floor(Math.log2(x)) - 4;
  const unit = 2 ** exponent;
  return Math.ceil(x / unit) * unit;
}

export interface EngineStepTimeInput {
  readonly model: ModelSpec;
  readonly hardware: HardwareSpec;
  readonly parallel: Partial<ParallelPlan>;
  readonly dtypes?: Partial<StepDtypes>;
  readonly overlap?: OverlapPolicy;
  readonly allReduce?: AllReduceImplementation;
  readonly predictor?: Predictor;
}

/**
 * Step times from the engine (`simulateStep`), memoised on bucketed shapes: prefill tokens and
 * average decode context rounded up to 4-bit mantissas, batch sizes exact up to 32 then bucketed.
 * Prefill work is modelled as `prefillSeqs` equal chunks; the replica's batch is per attention-DP
 * group when dp > 1 (tokens are spread evenly over the groups).
 */
export function engineStepTime(input: EngineStepTimeInput): StepTimeModel {
  const memo = new Map<number, Float64Array>();
  const dp = input.parallel.dp ?? 1;
  const stages = input.parallel.pp ?? 1;
  const idle = new Float64Array(stages);
  let evaluations = 0;
  const evaluate = (
    prefillTokens: number,
    prefillSeqs: number,
    decodeSeqs: number,
    context: number,
  ): Float64Array => {
    const workload = {
      prefill:
        prefillTokens > 0
          ? {
              sequences: prefillSeqs,
              newTokens: Math.max(1, Math.round(prefillTokens / prefillSeqs)),
              cachedTokens: 0,
            }
          : null,
      decode: decodeSeqs > 0 ? { sequences: decodeSeqs, contextTokens: Math.max(1, context) } : null,
    };
    evaluations++;
    const result = simulateStep({
      model: input.model,
      hardware: input.hardware,
      parallel: input.parallel,
      workload,
      ignoreMemory: true,
      detail: "totals",
      ...(input.dtypes ? { dtypes: input.dtypes } : {}),
      ...(input.overlap ? { overlap: input.overlap } : {}),
      ...(input.allReduce ? { allReduce: input.allReduce } : {}),
      ...(input.predictor ? { predictor: input.predictor } : {}),
    });
    return Float64Array.from(result.totals?.stageMs ?? [Number.NaN]);
  };
  return {
    stages,
    stageMs(prefillTokens, prefillSeqs, decodeSeqs, decodeContextTokens) {
      if (prefillTokens <= 0 && decodeSeqs <= 0) return idle;
      const p = prefillTokens > 0 ? bucketUp(Math.ceil(prefillTokens / dp)) : 0;
      const ps = prefillTokens > 0 ? Math.min(p, Math.max(1, bucketUp(Math.ceil(prefillSeqs / dp)))) : 0;
      const d = decodeSeqs > 0 ? Math.max(1, bucketUp(Math.ceil(decodeSeqs / dp))) : 0;
      const c = decodeSeqs > 0 ? bucketUp(Math.ceil(decodeContextTokens / decodeSeqs)) : 0;
      const key = ((bucketCode(p) * 2048 + bucketCode(ps)) * 2048 + bucketCode(d)) * 2048 + bucketCode(c);
      let ms = memo.get(key);
      if (ms === undefined) {
        ms = evaluate(p, ps, d, c);
        memo.set(key, ms);
      }
      return ms;
    },
    evaluations: () => evaluations,
  };
}

/** A distinct integer below 2048 for each value bucketUp can return (values below 2^30). */
function bucketCode(bucketed: number): number {
  return bucketed <= 32 ? bucketed : 32 + Math.round(64 * Math.log2(bucketed));
}
