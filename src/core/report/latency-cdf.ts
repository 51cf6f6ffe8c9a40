import { tpotSec } from "../sim/serve/metrics.ts";
import type { ServeResult } from "../sim/serve/types.ts";

export interface CdfPoint {
  readonly metric: string;
  readonly series: string;
  readonly latencyMs: number;
  readonly fraction: number;
}

/** Up to `points` evenly spaced quantiles (plus the extremes) of the values, as CDF points. */
function cdfOf(valuesMs: Float64Array, metric: string, series: string, points: number): CdfPoint[] {
  const sorted = Float64Array.from(valuesMs).sort();
  const n = sorted.length;
  if (n === 0) return [];
  const out: CdfPoint[] = [];
  const steps = Math.min(points, n);
  for (let k = 0; k <= steps; k++) {
    const index = Math.min(n - 1, Math.round((k / steps) * (n - 1)));
    out.push({ metric, series, latencyMs: sorted[index] as number, fraction: (index + 1) / n });
  }
  return out;
}

/** CDF points of TTFT, TPOT and end-to-end latency of a serving run (labelled `series`). */
export function latencyCdfPoints(result: ServeResult, series: string, points = 200): CdfPoint[] {
  const n = result.arrivalSec.length;
  const ttft = new Float64Array(n);
  const e2e = new Float64Array(n);
  const tpot: number[] = [];
  for (let r = 0; r < n; r++) {
    const arrival = result.arrivalSec[r] as number;
    ttft[r] = ((result.firstTokenSec[r] as number) - arrival) * 1000;
    e2e[r] = ((result.completionSec[r] as number) - arrival) * 1000;
    const t = tpotSec(result, r);
    if (!Number.isNaN(t)) tpot.push(t * 1000);
  }
  return [
    ...cdfOf(ttft, "TTFT", series, points),
    ...cdfOf(Float64Array.from(tpot), "TPOT", series, points),
    ...cdfOf(e2e, "End-to-end", series, points),
  ];
}

/** A Vega-Lite spec: one panel per metric (TTFT, TPOT, end-to-end), cumulative fraction vs ms, one line per series. */
export function latencyCdfSpec(points: readonly CdfPoint[], title?: string): Record<string, unknown> {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(title ? { title } : {}),
    data: { values: points },
    facet: { field: "metric", type: "nominal", title: null, sort: ["TTFT", "TPOT", "End-to-end"] },
    columns: 3,
    resolve: { scale: { x: "independent" } },
    spec: {
      width: 260,
      height: 200,
      mark: { type: "line", strokeWidth: 1.5, interpolate: "step-after" },
      encoding: {
        x: { field: "latencyMs", type: "quantitative", title: "latency (ms)", scale: { type: "log" } },
        y: {
          field: "fraction",
          type: "quantitative",
          title: "fraction of requests",
          scale: { domain: [0, 1] },
        },
        color: { field: "series", type: "nominal", title: null, scale: { scheme: "tableau10" } },
      },
    },
    config: { font: "DejaVu Sans", background: "white", view: { stroke: "#ddd" } },
  };
}
