import { describe, expect, it } from "vitest";
import { compareRuns, ksDistance, latencies } from "./requests.ts";

const sorted = (...v: number[]) => Float64Array.from(v).sort();

describe("request-level comparison", () => {
  it("KS distance is the largest gap between the empirical CDFs", () => {
    expect(ksDistance(sorted(1, 2, 3), sorted(1, 2, 3))).toBe(0);
    expect(ksDistance(sorted(1, 2), sorted(3, 4))).toBe(1);
    // F_a - F_b at x=2: 2/4 - 0/2 = 0.5, the largest gap.
    expect(ksDistance(sorted(1, 2, 3, 4), sorted(2.5, 5))).toBe(0.5);
  });
  it("TTFT includes queueing; TPOT is per request and skips single-token requests", () => {
    const run = {
      arrivalSec: Float64Array.of(0, 1),
      firstTokenSec: Float64Array.of(0.5, 1.2),
      completionSec: Float64Array.of(2.5, 1.2),
      outputTokens: Int32Array.of(5, 1),
    };
    expect(Array.from(latencies(run, "ttft"))).toEqual([0.19999999999999996, 0.5]);
    expect(Array.from(latencies(run, "tpot"))).toEqual([0.5]); // (2.5 - 0.5) / 4
    expect(Array.from(latencies(run, "e2e"))).toEqual([0.19999999999999996, 2.5]);
    const [ttft] = compareRuns(run, run);
    expect(ttft).toMatchObject({ metric: "ttft", ks: 0, p50ErrorPct: 0 });
  });
});
