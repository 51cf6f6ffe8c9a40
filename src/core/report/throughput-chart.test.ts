import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { describe, expect, it } from "vitest";
import { LogHistogram } from "../sim/serve/histogram.ts";
import type { ServeResult } from "../sim/serve/types.ts";
import { throughputChartSpec, throughputOverTime } from "./throughput-chart.ts";

/** A ServeResult with only the per-request fields the chart reads filled in meaningfully. */
function result(
  rows: [arrivalSec: number, firstTokenSec: number, completionSec: number, outputTokens: number][],
): ServeResult {
  const n = rows.length;
  return {
    arrivalSec: Float64Array.from(rows, (r) => r[0]),
    promptTokens: new Int32Array(n).fill(100),
    outputTokens: Int32Array.from(rows, (r) => r[3]),
    firstScheduledSec: Float64Array.from(rows, (r) => r[0]),
    firstTokenSec: Float64Array.from(rows, (r) => r[1]),
    completionSec: Float64Array.from(rows, (r) => r[2]),
    replica: new Int32Array(n),
    decodeReplica: new Int32Array(n).fill(-1),
    preemptions: new Int32Array(n),
    interTokenSec: new LogHistogram(),
    pools: [],
    events: 0,
  };
}

/**
 * A: arrives 0, first token 0.5, done 2.5, 5 tokens: 1 at 0.5, then 4 over [0.5, 2.5] (2 tok/s).
 * B: arrives 1.2, first and only token at 1.5, done 1.5.
 * C: arrives 2, first token 3.0 (on a boundary), done 4.0 (the run's end), 3 tokens: 1 at 3, 2 over [3, 4].
 */
const tiny = result([
  [0, 0.5, 2.5, 5],
  [1.2, 1.5, 1.5, 1],
  [2, 3, 4, 3],
]);

const rounded = (points: ReturnType<typeof throughputOverTime>) =>
  points.map((p) => ({
    startSec: Math.round(p.startSec * 1e9) / 1e9,
    endSec: Math.round(p.endSec * 1e9) / 1e9,
    outputTokensPerSec: Math.round(p.outputTokensPerSec * 1e9) / 1e9,
    completedRequestsPerSec: Math.round(p.completedRequestsPerSec * 1e9) / 1e9,
  }));

describe("throughput over time", () => {
  it("1 s bins: first tokens at their time, the rest spread over first token..completion", () => {
    // [0,1): A's first token + 0.5 s x 2 tok/s = 2.   [1,2): A 1 s x 2 = 2, B's token = 3; B completes.
    // [2,3): A 0.5 s x 2 = 1; A completes.            [3,4]: C's first token (boundary -> later bin) + 2 = 3;
    //                                                  C completes at the very end, kept in the last bin.
    expect(rounded(throughputOverTime(tiny, 1))).toEqual([
      { startSec: 0, endSec: 1, outputTokensPerSec: 2, completedRequestsPerSec: 0 },
      { startSec: 1, endSec: 2, outputTokensPerSec: 3, completedRequestsPerSec: 1 },
      { startSec: 2, endSec: 3, outputTokensPerSec: 1, completedRequestsPerSec: 1 },
      { startSec: 3, endSec: 4, outputTokensPerSec: 3, completedRequestsPerSec: 1 },
    ]);
  });

  it("2 s bins: rates are per second of bin", () => {
    // [0,2): A 1 + 1.5 s x 2 = 4, B 1 -> 5 tokens / 2 s; B completes -> 0.5 req/s.
    // [2,4]: A 0.5 s x 2 = 1, C 3 -> 4 tokens / 2 s; A and C complete -> 1 req/s.
    expect(rounded(throughputOverTime(tiny, 2))).toEqual([
      { startSec: 0, endSec: 2, outputTokensPerSec: 2.5, completedRequestsPerSec: 0.5 },
      { startSec: 2, endSec: 4, outputTokensPerSec: 2, completedRequestsPerSec: 1 },
    ]);
  });

  it("bins are aligned to multiples of the width, starting at or before the first arrival", () => {
    const shifted = result([[10.3, 10.8, 11.8, 3]]);
    // First token at 10.8 (bin 10), then 2 tokens over [10.8, 11.8]: 0.2 s in [10,11), 0.8 s in [11,12).
    expect(rounded(throughputOverTime(shifted, 1))).toEqual([
      { startSec: 10, endSec: 11, outputTokensPerSec: 1.4, completedRequestsPerSec: 0 },
      { startSec: 11, endSec: 12, outputTokensPerSec: 1.6, completedRequestsPerSec: 1 },
    ]);
  });

  it("picks a round width giving about 60 bins, and keeps every token and completion", () => {
    // Span 4 s: 4/60 = 0.067 s -> 0.05 s, 80 bins.
    const points = throughputOverTime(tiny);
    expect(points).toHaveLength(80);
    expect((points[1] as { startSec: number }).startSec).toBeCloseTo(0.05, 12);
    const width = 0.05;
    expect(points.reduce((s, p) => s + p.outputTokensPerSec * width, 0)).toBeCloseTo(9, 9);
    expect(points.reduce((s, p) => s + p.completedRequestsPerSec * width, 0)).toBeCloseTo(3, 9);
    for (const [span, expected] of [
      [60, 60],
      [600, 60],
      [100, 50],
      [7.3, 73],
    ] as const) {
      expect(throughputOverTime(result([[0, span / 2, span, 2]])), `span ${span}`).toHaveLength(expected);
    }
  });

  it("an empty run has no points; a bin width must be positive", () => {
    expect(throughputOverTime(result([]))).toEqual([]);
    expect(() => throughputOverTime(tiny, 0)).toThrow(RangeError);
    expect(() => throughputOverTime(tiny, Number.NaN)).toThrow(RangeError);
  });

  it("the chart spec compiles and renders both panels", async () => {
    const spec = throughputChartSpec(throughputOverTime(tiny, 1), "tiny run");
    expect(spec.title).toBe("tiny run");
    expect((spec.data as { values: unknown[] }).values).toHaveLength(4);
    const view = new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), {
      renderer: "none",
    });
    const svg = await view.toSVG();
    view.finalize();
    expect(svg).toContain("output tokens/s");
    expect(svg).toContain("completed requests/s");
    expect(svg).toContain("tiny run");
    expect(throughputChartSpec([])).not.toHaveProperty("title");
  });
});
