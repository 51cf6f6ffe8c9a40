import { newMetrics, OVER_BUDGET, type PlanEvaluator } from "./evaluate.ts";
import { type PlanSummary, SummaryBuilder } from "./summary.ts";

/** A shard of the space: the configurations whose index ≡ `index` (mod `count`), strided so costs balance. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const WHOLE: Shard = { index: 0, count: 1 };

/** Per-configuration figures of a range, column by column (NaN where a configuration has none). */
export interface RowColumns {
  readonly index: Float64Array;
  readonly status: Int8Array;
  readonly ttftMs: Float64Array;
  readonly tpotMs: Float64Array;
  readonly tokensPerSecPerGpu: Float64Array;
  readonly tokensPerSecPerUser: Float64Array;
  readonly unitRequestsPerSec: Float64Array;
  readonly unitGpus: Float64Array;
  readonly copies: Float64Array;
  readonly usdPerMillionTokens: Float64Array;
}

/** Indices of `shard` in [from, to). */
export function shardIndices(from: number, to: number, shard: Shard): { first: number; count: number } {
  const first = from + ((((shard.index - from) % shard.count) + shard.count) % shard.count);
  return { first, count: first >= to ? 0 : Math.floor((to - 1 - first) / shard.count) + 1 };
}

function newColumns(count: number): RowColumns {
  const f = () => new Float64Array(count).fill(Number.NaN);
  return {
    index: new Float64Array(count),
    status: new Int8Array(count),
    ttftMs: f(),
    tpotMs: f(),
    tokensPerSecPerGpu: f(),
    tokensPerSecPerUser: f(),
    unitRequestsPerSec: f(),
    unitGpus: f(),
    copies: f(),
    usdPerMillionTokens: f(),
  };
}

/**
 * Evaluates the shard's configurations in [from, to) and summarises them; with `rows`, also returns
 * every configuration's figures in index order.
 */
export function sweepRange(
  evaluator: PlanEvaluator,
  from: number,
  to: number,
  shard: Shard = WHOLE,
  rows = false,
): { summary: PlanSummary; rows: RowColumns | null } {
  const builder = new SummaryBuilder(evaluator.spec);
  const { first, count } = shardIndices(from, to, shard);
  const columns = rows ? newColumns(count) : null;
  const m = newMetrics();
  const build = (i: number) => evaluator.candidate(i);
  for (let k = 0, i = first; k < count; k++, i += shard.count) {
    const status = evaluator.evaluateInto(i, m);
    builder.addEvaluated(i, status, m, build);
    if (columns) {
      columns.index[k] = i;
      columns.status[k] = status;
      if (status === 0 || status >= OVER_BUDGET) {
        columns.ttftMs[k] = m.ttftMs;
        columns.tpotMs[k] = m.tpotMs;
        columns.tokensPerSecPerGpu[k] = m.tokensPerSecPerGpu;
        columns.tokensPerSecPerUser[k] = m.tokensPerSecPerUser;
        columns.unitRequestsPerSec[k] = m.unitRequestsPerSec;
        columns.unitGpus[k] = m.unitGpus;
        columns.copies[k] = m.copies;
        columns.usdPerMillionTokens[k] = m.usdPerMillionTokens;
      }
    }
  }
  return { summary: builder.summary(), rows: columns };
}
