import { Piscina } from "piscina";
import { type Candidate, PlanEvaluator } from "../core/plan/evaluate.ts";
import { type Recheck, recheckCandidate } from "../core/plan/recheck.ts";
import { rowTable } from "../core/plan/rows.ts";
import { sweepChunks, sweepInThread } from "../core/plan/run.ts";
import type { PlanSpec } from "../core/plan/spec.ts";
import { mergeSummaries, type PlanSummary } from "../core/plan/summary.ts";
import { type RowColumns, type Shard, shardIndices } from "../core/plan/sweep.ts";
import { type PortablePredictor, predictorOf } from "../core/predictor/portable.ts";
import type { Predictor } from "../core/predictor/types.ts";
import type { RowsWriter } from "./plan-rows.ts";
import type { PlanWorkerData, SweepTask } from "./workers/plan-worker.ts";

const WORKER = new URL("./workers/plan-worker.js", import.meta.url);

export interface SweepOptions {
  readonly shard: Shard;
  readonly rows?: RowsWriter;
  readonly progress?: (done: number, total: number) => void;
}

/**
 * Runs a plan's sweep and its serving re-checks on a worker-thread pool (`threads` > 1) or in this
 * thread (core/plan/run.ts's `sweepInThread`, as `runPlan` does). The space is cut into contiguous
 * chunks (`sweepChunks`); each chunk's summary merges exactly, so the result does not depend on the
 * thread count or the chunking.
 */
export class PlanRunner {
  private readonly pool: Piscina | null;
  private local: { hash: string; evaluator: PlanEvaluator } | undefined;
  private readonly predictor: Predictor | undefined;

  readonly threads: number;

  /** `predictor`: measured kernels for every thread's steps (the one the specs' `predictor` names). */
  constructor(threads: number, predictor?: PortablePredictor) {
    this.threads = threads;
    const workerData: PlanWorkerData = { predictor: predictor ?? null };
    this.pool =
      threads > 1
        ? new Piscina({ filename: WORKER.href, minThreads: 0, maxThreads: threads, workerData })
        : null;
    this.predictor = predictor ? predictorOf(predictor) : undefined;
  }

  private evaluatorFor(spec: PlanSpec, hash: string): PlanEvaluator {
    if (this.local?.hash !== hash) this.local = { hash, evaluator: new PlanEvaluator(spec, this.predictor) };
    return this.local.evaluator;
  }

  async sweep(spec: PlanSpec, hash: string, size: number, options: SweepOptions): Promise<PlanSummary> {
    const { shard, rows } = options;
    if (!this.pool) {
      const evaluator = this.evaluatorFor(spec, hash);
      return sweepInThread(evaluator, size, {
        shard,
        ...(options.progress ? { progress: options.progress } : {}),
        ...(rows ? { rows: (columns: RowColumns) => rows.write(rowTable(evaluator, columns)) } : {}),
      });
    }
    const pool = this.pool;
    const total = shardIndices(0, size, shard).count;
    const chunks = sweepChunks(size, shard, this.threads);
    const parts: PlanSummary[] = new Array(chunks.length);
    const pendingRows = new Map<number, RowColumns>();
    let nextRows = 0;
    let done = 0;
    const evaluator = rows ? this.evaluatorFor(spec, hash) : null;
    const finished = (k: number, summary: PlanSummary, columns: RowColumns | null) => {
      parts[k] = summary;
      done += summary.evaluated;
      options.progress?.(done, total);
      if (rows && evaluator && columns) {
        // Rows go out in index order, whatever order the chunks finish in.
        pendingRows.set(k, columns);
        for (let ready = pendingRows.get(nextRows); ready; ready = pendingRows.get(nextRows)) {
          rows.write(rowTable(evaluator, ready));
          pendingRows.delete(nextRows++);
        }
      }
    };
    options.progress?.(0, total);
    await Promise.all(
      chunks.map(async ([from, to], k) => {
        const task: SweepTask = { spec, hash, from, to, shard, rows: rows !== undefined };
        const result = (await pool.run(task, { name: "sweep" })) as {
          summary: PlanSummary;
          rows: RowColumns | null;
        };
        finished(k, result.summary, result.rows);
      }),
    );
    return mergeSummaries(spec, parts);
  }

  async rechecks(spec: PlanSpec, candidates: readonly Candidate[]): Promise<Recheck[]> {
    const pool = this.pool;
    if (!pool) return candidates.map((candidate) => recheckCandidate(spec, candidate, this.predictor));
    return Promise.all(
      candidates.map(
        async (candidate) => (await pool.run({ spec, candidate }, { name: "recheck" })) as Recheck,
      ),
    );
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}
