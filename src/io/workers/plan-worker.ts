import type { Candidate } from "../../core/plan/evaluate.ts";
import { PlanEvaluator } from "../../core/plan/evaluate.ts";
import { type Recheck, recheckCandidate } from "../../core/plan/recheck.ts";
import { specHash } from "../../core/plan/space.ts";
import type { PlanSpec } from "../../core/plan/spec.ts";
import type { PlanSummary } from "../../core/plan/summary.ts";
import { type RowColumns, type Shard, sweepRange } from "../../core/plan/sweep.ts";
import { type PortablePredictor, predictorOf } from "../../core/predictor/portable.ts";
import type { Predictor } from "../../core/predictor/types.ts";

let cached: { hash: string; evaluator: PlanEvaluator } | undefined;
// The predictor rebuilt from its families once per sweep (the spec hash covers its digest).
let predictorCache: { hash: string; predictor: Predictor } | undefined;

export interface SweepTask {
  readonly spec: PlanSpec;
  readonly hash: string;
  readonly from: number;
  readonly to: number;
  readonly shard: Shard;
  readonly rows: boolean;
  /** Measured kernels (null: the roofline), the ones `spec.predictor` names. */
  readonly predictor: PortablePredictor | null;
}

export interface RecheckTask {
  readonly spec: PlanSpec;
  readonly candidate: Candidate;
  readonly predictor: PortablePredictor | null;
}

function predictorFor(hash: string, portable: PortablePredictor | null): Predictor | undefined {
  if (portable === null) return undefined;
  if (predictorCache?.hash !== hash) predictorCache = { hash, predictor: predictorOf(portable) };
  return predictorCache.predictor;
}

/** One chunk [from, to) of a shard; the evaluator (and its per-role memo) is kept between chunks of the same sweep. */
export function sweep(task: SweepTask): { summary: PlanSummary; rows: RowColumns | null } {
  if (cached?.hash !== task.hash)
    cached = {
      hash: task.hash,
      evaluator: new PlanEvaluator(task.spec, predictorFor(task.hash, task.predictor)),
    };
  return sweepRange(cached.evaluator, task.from, task.to, task.shard, task.rows);
}

export function recheck(task: RecheckTask): Recheck {
  return recheckCandidate(task.spec, task.candidate, predictorFor(specHash(task.spec), task.predictor));
}
