import { describe, expect, it } from "vitest";
import type { ServeResult } from "../sim/serve/types.ts";
import { requestSpans, requestTimelineSpec } from "./request-timeline.ts";

const result = {
  arrivalSec: Float64Array.from([0, 0.5]),
  firstScheduledSec: Float64Array.from([0, 1]),
  firstTokenSec: Float64Array.from([0.2, 1.25]),
  completionSec: Float64Array.from([1, 1.25]),
  promptTokens: Int32Array.from([10, 20]),
  outputTokens: Int32Array.from([5, 1]),
} as unknown as ServeResult;

describe("request timeline", () => {
  it("splits each request into queued, prefill and decode spans (ms)", () => {
    const spans = requestSpans(result);
    expect(spans.map((s) => [s.request, s.phase, s.startMs, s.endMs])).toEqual([
      [0, "prefill", 0, 200],
      [0, "decode", 200, 1000],
      [1, "queued", 500, 1000],
      [1, "prefill", 1000, 1250],
    ]);
  });

  it("keeps only the first requests", () => {
    expect(new Set(requestSpans(result, 1).map((s) => s.request))).toEqual(new Set([0]));
    const spec = requestTimelineSpec(requestSpans(result)) as { data: { values: unknown[] } };
    expect(spec.data.values).toHaveLength(4);
  });
});
