import type { ServeResult } from "../sim/serve/types.ts";

/** Throughput of one time bin [startSec, endSec) of a serving run. */
export interface ThroughputPoint {
  readonly startSec: number;
  readonly endSec: number;
  /** Output tokens produced in the bin / bin width. */
  readonly outputTokensPerSec: number;
  /** Requests completed in the bin / bin width. */
  readonly completedRequestsPerSec: number;
}

/** Bins an automatic width aims for. */
const TARGET_BINS = 60;

/** The 1, 2, 2.5 or 5 x 10^k closest (in ratio) to `value` > 0. */
function niceWidth(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  let best = power;
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (Math.abs(Math.log(value / (step * power))) < Math.abs(Math.log(value / best))) best = step * power;
  }
  return best;
}

/**
 * Output tokens/s and completed requests/s over time, in bins of `binSec` (default: a round width,
 * 1, 2, 2.5 or 5 x 10^k s, giving about 60 bins from the first arrival to the last completion).
 * Bins are aligned to multiples of the width (the first starts at or before the first arrival)
 * and the last one ends at or after the last completion; an event on a boundary counts in the
 * later bin, except the very end, which stays in the last bin.
 *
 * A ServeResult keeps each request's first-token and completion times but not every token's, so a
 * request's first token counts at its first-token time and its other (output − 1) tokens are
 * spread evenly over [first token, completion] (its mean TPOT), apportioned to bins by overlap.
 * Token totals are exact; within a request the rate is its average.
 */
export function throughputOverTime(result: ServeResult, binSec?: number): ThroughputPoint[] {
  if (binSec !== undefined && !(Number.isFinite(binSec) && binSec > 0))
    throw new RangeError(`bin width must be a number > 0 s, got ${binSec}`);
  const n = result.arrivalSec.length;
  if (n === 0) return [];
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (let r = 0; r < n; r++) {
    first = Math.min(first, result.arrivalSec[r] as number);
    last = Math.max(last, result.completionSec[r] as number);
  }
  const span = last - first;
  const width = binSec ?? (span > 0 ? niceWidth(span / TARGET_BINS) : 1);
  const origin = Math.floor(first / width) * width;
  // Guard against float noise turning an exact multiple into an extra, empty bin.
  const bins = Math.max(1, Math.ceil((last - origin) / width - 1e-9));
  const binOf = (t: number) => Math.min(bins - 1, Math.max(0, Math.floor((t - origin) / width)));
  const tokens = new Float64Array(bins);
  const completed = new Float64Array(bins);
  const add = (into: Float64Array, bin: number, amount: number) => {
    into[bin] = (into[bin] as number) + amount;
  };
  for (let r = 0; r < n; r++) {
    const firstToken = result.firstTokenSec[r] as number;
    const completion = result.completionSec[r] as number;
    const output = result.outputTokens[r] as number;
    add(completed, binOf(completion), 1);
    if (output < 1) continue;
    add(tokens, binOf(firstToken), 1);
    const rest = output - 1;
    if (rest === 0) continue;
    const duration = completion - firstToken;
    if (!(duration > 0)) {
      add(tokens, binOf(completion), rest);
      continue;
    }
    const from = binOf(firstToken);
    const to = binOf(completion);
    for (let b = from; b <= to; b++) {
      const start = b === 0 ? Number.NEGATIVE_INFINITY : origin + b * width;
      const end = b === bins - 1 ? Number.POSITIVE_INFINITY : origin + (b + 1) * width;
      const overlap = Math.min(end, completion) - Math.max(start, firstToken);
      if (overlap > 0) add(tokens, b, (rest * overlap) / duration);
    }
  }
  return Array.from({ length: bins }, (_, b) => ({
    startSec: origin + b * width,
    endSec: origin + (b + 1) * width,
    outputTokensPerSec: (tokens[b] as number) / width,
    completedRequestsPerSec: (completed[b] as number) / width,
  }));
}

/**
 * A Vega-Lite spec: two panels over a shared time axis, output tokens/s and completed
 * requests/s per bin (one bar per bin, spanning it).
 */
export function throughputChartSpec(
  points: readonly ThroughputPoint[],
  title?: string,
): Record<string, unknown> {
  const panel = (field: keyof ThroughputPoint, yTitle: string, color: string) => ({
    width: 560,
    height: 160,
    mark: { type: "bar", color, tooltip: true },
    encoding: {
      x: { field: "startSec", type: "quantitative", bin: "binned", title: "time (s)" },
      x2: { field: "endSec" },
      y: { field, type: "quantitative", title: yTitle },
    },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(title ? { title } : {}),
    data: { values: points },
    vconcat: [
      panel("outputTokensPerSec", "output tokens/s", "#4e79a7"),
      panel("completedRequestsPerSec", "completed requests/s", "#f28e2b"),
    ],
    resolve: { scale: { x: "shared" } },
    config: { font: "DejaVu Sans", background: "white", view: { stroke: "#ddd" } },
  };
}
