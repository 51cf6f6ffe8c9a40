import { percentileOfSorted } from "../sim/serve/metrics.ts";

/** What is compared, and how each tool defines it (tools disagree: say which one this is). */
export const REQUEST_METRICS = {
  ttft: "TTFT: arrival to the first output token, queueing and prefill included",
  tpot: "TPOT: (completion - first token) / (output tokens - 1), one mean per request with 2+ output tokens (not ITL, which pools every gap between tokens)",
  e2e: "E2E: arrival to the last output token",
} as const;
export type RequestMetric = keyof typeof REQUEST_METRICS;

/** Per-request timestamps of a run, seconds from the run's clock origin. */
export interface RequestTimes {
  readonly arrivalSec: Float64Array;
  readonly firstTokenSec: Float64Array;
  readonly completionSec: Float64Array;
  readonly outputTokens: Int32Array;
}

/** Sorted per-request latencies (seconds) of one metric. */
export function latencies(run: RequestTimes, metric: RequestMetric): Float64Array {
  const out: number[] = [];
  for (let r = 0; r < run.arrivalSec.length; r++) {
    const arrival = run.arrivalSec[r] as number;
    const first = run.firstTokenSec[r] as number;
    const done = run.completionSec[r] as number;
    if (metric === "ttft") out.push(first - arrival);
    else if (metric === "e2e") out.push(done - arrival);
    else {
      const tokens = run.outputTokens[r] as number;
      if (tokens >= 2) out.push((done - first) / (tokens - 1));
    }
  }
  return Float64Array.from(out).sort();
}

/**
 * Two-sample Kolmogorov-Smirnov distance of sorted samples: the largest gap between their
 * empirical CDFs (0 = identical distributions, 1 = disjoint).
 */
export function ksDistance(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let distance = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i] as number, b[j] as number);
    while (i < a.length && (a[i] as number) <= x) i++;
    while (j < b.length && (b[j] as number) <= x) j++;
    distance = Math.max(distance, Math.abs(i / a.length - j / b.length));
  }
  return a.length === 0 || b.length === 0 ? Number.NaN : distance;
}

export interface DistributionStats {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
}

function statsOf(sorted: Float64Array): DistributionStats {
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    meanMs: (sum / sorted.length) * 1e3,
    p50Ms: percentileOfSorted(sorted, 0.5) * 1e3,
    p90Ms: percentileOfSorted(sorted, 0.9) * 1e3,
    p99Ms: percentileOfSorted(sorted, 0.99) * 1e3,
  };
}

export interface MetricComparison {
  readonly metric: RequestMetric;
  readonly definition: string;
  readonly measured: DistributionStats;
  readonly simulated: DistributionStats;
  readonly ks: number;
  /** Simulated / measured - 1 at each percentile, %. */
  readonly p50ErrorPct: number;
  readonly p90ErrorPct: number;
  readonly p99ErrorPct: number;
}

/** The measured and simulated runs compared metric by metric. */
export function compareRuns(measured: RequestTimes, simulated: RequestTimes): MetricComparison[] {
  return (Object.keys(REQUEST_METRICS) as RequestMetric[]).map((metric) => {
    const a = latencies(measured, metric);
    const b = latencies(simulated, metric);
    const m = statsOf(a);
    const s = statsOf(b);
    const pct = (sim: number, meas: number) => (sim / meas - 1) * 100;
    return {
      metric,
      definition: REQUEST_METRICS[metric],
      measured: m,
      simulated: s,
      ks: ksDistance(a, b),
      p50ErrorPct: pct(s.p50Ms, m.p50Ms),
      p90ErrorPct: pct(s.p90Ms, m.p90Ms),
      p99ErrorPct: pct(s.p99Ms, m.p99Ms),
    };
  });
}

/** Both runs' CDFs of every metric as Vega-Lite, one panel per metric, at most `points` per curve. */
export function requestCdfSpec(
  measured: RequestTimes,
  simulated: RequestTimes,
  title: string,
  points = 200,
): Record<string, unknown> {
  const values: { metric: string; run: string; ms: number; fraction: number }[] = [];
  for (const metric of Object.keys(REQUEST_METRICS) as RequestMetric[])
    for (const [run, times] of [
      ["measured", measured],
      ["simulated", simulated],
    ] as const) {
      const sorted = latencies(times, metric);
      const step = Math.max(1, Math.floor(sorted.length / points));
      for (let i = 0; i < sorted.length; i += step)
        values.push({
          metric: metric.toUpperCase(),
          run,
          ms: (sorted[i] as number) * 1e3,
          fraction: (i + 1) / sorted.length,
        });
      if (sorted.length > 0)
        values.push({
          metric: metric.toUpperCase(),
          run,
          ms: (sorted[sorted.length - 1] as number) * 1e3,
          fraction: 1,
        });
    }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values },
    facet: { column: { field: "metric", type: "nominal", title: null } },
    spec: {
      width: 300,
      height: 240,
      mark: { type: "line", interpolate: "step-after" },
      encoding: {
        x: { field: "ms", type: "quantitative", title: "ms", scale: { type: "log" } },
        y: { field: "fraction", type: "quantitative", title: "fraction of requests" },
        color: { field: "run", type: "nominal", scale: { scheme: "tableau10" }, legend: { orient: "top" } },
      },
    },
    resolve: { scale: { x: "independent" } },
  };
}
