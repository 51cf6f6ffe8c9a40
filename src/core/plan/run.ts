import { InputError, type Issue } from "../issues.ts";
import { tensorParallelIssue } from "../parallel/plan.ts";
import type { Predictor } from "../predictor/types.ts";
import { PlanEvaluator } from "./evaluate.ts";
import { type Recheck, recheckCandidate } from "./recheck.ts";
import { type PlanResult, recheckPicks, recommend } from "./recommend.ts";
import { type RowColumn, rowTable } from "./rows.ts";
import { PlanSpace, specHash } from "./space.ts";
import type { PlanSpec } from "./spec.ts";
import { mergeSummaries, type PlanSummary } from "./summary.ts";
import { type RowColumns, type Shard, shardIndices, sweepRange, WHOLE } from "./sweep.ts";

/** Chunks per thread: enough for a smooth progress bar and balanced threads, few enough to be cheap. */
const CHUNKS_PER_THREAD = 32;
const MIN_CHUNK = 20_000;

/**
 * The contiguous chunks [from, to) a sweep of `size` configurations is cut into for `threads`
 * threads. Each chunk's summary merges exactly, so the result does not depend on the chunking.
 */
export function sweepChunks(size: number, shard: Shard = WHOLE, threads = 1): [number, number][] {
  const chunkSize = Math.max(MIN_CHUNK * shard.count, Math.ceil(size / (threads * CHUNKS_PER_THREAD)));
  const chunks: [number, number][] = [];
  for (let from = 0; from < size; from += chunkSize) chunks.push([from, Math.min(size, from + chunkSize)]);
  return chunks;
}

/** Why a space has no configuration: every cause, by mode. */
function emptySpaceIssues(spec: PlanSpec, space: PlanSpace): Issue[] {
  const names = (list: readonly number[]) => list.map((h) => spec.hardware[h]?.name).join(", ");
  const axes = `tp ${spec.axes.tp.join(",")}, pp ${spec.axes.pp.join(",")}, dp ${spec.axes.dp.join(",")}`;
  const noRole = (field: string, list: readonly number[]): Issue => ({
    code: "invalid-value",
    path: [field],
    message: `no replica of ${spec.model.id} on ${names(list)} within ${spec.budget.gpus} GPUs with ${axes}`,
  });
  // A TP list none of whose degrees can split the attention says so first.
  const tpIssues = spec.axes.tp.map((tp) => tensorParallelIssue(spec.model, tp, ["tp"]));
  const issues: Issue[] = tpIssues.every((issue) => issue !== null) ? (tpIssues as Issue[]) : [];
  const modes = spec.axes.modes;
  if (modes.includes("aggregated") && space.aggregatedRoles.length === 0)
    issues.push(noRole("aggregatedHardware", spec.axes.aggregatedHardware));
  if (modes.includes("disaggregated")) {
    if (space.prefillRoles.length === 0) issues.push(noRole("prefillHardware", spec.axes.prefillHardware));
    if (space.decodeRoles.length === 0) issues.push(noRole("decodeHardware", spec.axes.decodeHardware));
    if (space.pairs.length === 0)
      issues.push({
        code: "invalid-value",
        path: ["prefillReplicas"],
        message: `every xPyD pair of prefill replicas ${spec.axes.prefillReplicas.join(",")} and decode replicas ${spec.axes.decodeReplicas.join(",")} has a common factor (2P2D is 1P1D twice); include coprime counts`,
      });
  }
  return issues;
}

/** The spec's configuration space; throws InputError naming every cause when it is empty. */
export function planSpaceOf(spec: PlanSpec): PlanSpace {
  const space = new PlanSpace(spec);
  if (space.size() === 0) throw new InputError(emptySpaceIssues(spec, space));
  return space;
}

export interface SweepInThreadOptions {
  readonly shard?: Shard;
  /** Configurations of the shard evaluated so far, of `total`: once at 0, then after each chunk. */
  readonly progress?: (done: number, total: number) => void;
  /** Each chunk's per-configuration figures, in index order. */
  readonly rows?: (columns: RowColumns) => void;
}

/** Sweeps the shard of the evaluator's space [0, size) in this thread, chunk by chunk, and merges the summaries. */
export function sweepInThread(
  evaluator: PlanEvaluator,
  size: number,
  options: SweepInThreadOptions = {},
): PlanSummary {
  const shard = options.shard ?? WHOLE;
  const total = shardIndices(0, size, shard).count;
  const parts: PlanSummary[] = [];
  let done = 0;
  options.progress?.(0, total);
  for (const [from, to] of sweepChunks(size, shard, 1)) {
    const result = sweepRange(evaluator, from, to, shard, options.rows !== undefined);
    parts.push(result.summary);
    done += result.summary.evaluated;
    options.progress?.(done, total);
    if (options.rows && result.rows) options.rows(result.rows);
  }
  return mergeSummaries(evaluator.spec, parts);
}

/**
 * The plan's outcome from a whole sweep's summary and the serving re-checks of its
 * `recheckPicks` (in that order): the recommendation, or why there is none.
 */
export function planResult(
  spec: PlanSpec,
  summary: PlanSummary,
  rechecks: readonly Recheck[],
  spaceSize: number = new PlanSpace(spec).size(),
): PlanResult {
  return recommend(spec, summary, rechecks, specHash(spec), spaceSize);
}

export interface RunPlanOptions {
  /** Configurations evaluated so far, of the whole space: once at 0, then after each chunk. */
  readonly progress?: (done: number, total: number) => void;
  /** The sweep is done; the serving re-checks (`spec.recheck.candidates` of them) come next. */
  readonly swept?: (summary: PlanSummary) => void;
  /** Serving re-checks done so far, of `total`: once at 0, then after each. */
  readonly rechecked?: (done: number, total: number) => void;
  /** Each chunk's every-configuration table (`llmsim plan --rows`), in index order. */
  readonly rows?: (table: RowColumn[]) => void;
  /** Kernel times of the sweep and the re-checks (default: the roofline); the one `spec.predictor` names. */
  readonly predictor?: Predictor;
}

/**
 * `llmsim plan` in this thread, for a whole (unsharded) space: sweeps every configuration, re-checks
 * the best with the serving simulator and recommends one. The result is the one the CLI's table,
 * JSON and CSV are made from, and the same on any thread count. Pure: runs in a browser worker.
 * Throws InputError when the space is empty.
 */
export function runPlan(spec: PlanSpec, options: RunPlanOptions = {}): PlanResult {
  const space = planSpaceOf(spec);
  const evaluator = new PlanEvaluator(spec, options.predictor);
  const { rows } = options;
  const summary = sweepInThread(evaluator, space.size(), {
    ...(options.progress ? { progress: options.progress } : {}),
    ...(rows ? { rows: (columns: RowColumns) => rows(rowTable(evaluator, columns)) } : {}),
  });
  options.swept?.(summary);
  const picks = recheckPicks(spec, summary);
  options.rechecked?.(0, picks.length);
  const rechecks = picks.map((candidate, i) => {
    const recheck = recheckCandidate(spec, candidate, options.predictor);
    options.rechecked?.(i + 1, picks.length);
    return recheck;
  });
  return planResult(spec, summary, rechecks, space.size());
}
