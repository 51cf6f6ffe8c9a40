import { workerData } from "piscina";
import type { Candidate } from "../../core/plan/evaluate.ts";
import { PlanEvaluator } from "../../core/plan/evaluate.ts";
import { type Recheck, recheckCandidate } from "../../core/plan/recheck.ts";
import type { PlanSpec } from "../../core/plan/spec.ts";
import type { PlanSummary } from "../../core/plan/summary.ts";
import { type RowColumns, type Shard, sweepRange } from "../../core/plan/sweep.ts";
import { type PortablePredictor, predictorOf } from "../../core/predictor/portable.ts";

/** What a pool's workers start with (PlanRunner posts it once per worker, not with every task). */
export interface PlanWorkerData {
  /** Measured kernels of every task's steps (null: the roofline), the ones the specs' `predictor` names. */
  readonly predictor: PortablePredictor | null;
}

const portable = (workerData as PlanWorkerData | undefined)?.predictor ?? null;
const predictor = portable ? predictorOf(portable) : undefined;

let cached: { hash: string; evaluator: PlanEvaluator } | undefined;

export interface SweepTask {
  readonly spec: PlanSpec;
  readonly hash: string;
  readonly from: number;
  readonly to: number;
  readonly shard: Shard;
  readonly rows: boolean;
}

/** One chunk [from, to) of a shard; the evaluator (and its per-role memo) is kept between chunks of the same sweep. */
export function sweep(task: SweepTask): { summary: PlanSummary; rows: RowColumns | null } {
  if (cached?.hash !== task.hash)
    cached = { hash: task.hash, evaluator: new PlanEvaluator(task.spec, predictor) };
  return sweepRange(cached.evaluator, task.from, task.to, task.shard, task.rows);
}

export function recheck(task: { spec: PlanSpec; candidate: Candidate }): Recheck {
  return recheckCandidate(task.spec, task.candidate, predictor);
}
