import { describe, expect, it } from "vitest";
import { planSpec } from "../../../test/helpers/plan.ts";
import { allReduceFallbackNotes, lengthStatistics, validatePlanSpec } from "./spec.ts";

describe("length statistics", () => {
  it("a trace: exact means and the decode-weighted context (E[ISL·OSL] + E[OSL²]/2) / E[OSL]", () => {
    const s = lengthStatistics({ kind: "trace", promptTokens: [100, 300], outputTokens: [10, 30] });
    // E[ISL·OSL] = (1000 + 9000)/2 = 5000, E[OSL²] = (100 + 900)/2 = 500, E[OSL] = 20.
    expect(s).toEqual({
      meanPromptTokens: 200,
      meanOutputTokens: 20,
      meanDecodeContextTokens: (5000 + 250) / 20,
      maxSequenceTokens: 330,
    });
  });

  it("fixed lengths: the context is ISL + OSL/2", () => {
    const s = lengthStatistics({
      kind: "distributions",
      prompt: { kind: "fixed", tokens: 4096 },
      output: { kind: "fixed", tokens: 1024 },
    });
    expect(s.meanDecodeContextTokens).toBe(4096 + 512);
    expect(s.meanPromptTokens).toBe(4096);
  });

  it("distributions: a fixed sample, so the same every time, near the log-normal's mean", () => {
    const lengths = {
      kind: "distributions" as const,
      prompt: { kind: "lognormal" as const, median: 1000, sigma: 0.5, min: 1, max: 1_000_000 },
      output: { kind: "fixed" as const, tokens: 100 },
    };
    const a = lengthStatistics(lengths);
    expect(lengthStatistics(lengths)).toEqual(a);
    // Log-normal mean = median · exp(σ²/2) = 1133.1; 100,000 samples put it within 1%.
    expect(Math.abs(a.meanPromptTokens / (1000 * Math.exp(0.125)) - 1)).toBeLessThan(0.01);
  });
});

describe("spec validation", () => {
  it("a budget of zero, an empty axis, a non-positive target", () => {
    const issues = validatePlanSpec(
      planSpec({
        budget: { gpus: 0, gpusPerHardware: [null] },
        axes: { batch: [] },
        slo: { ttftMs: -1, percentile: 90 },
      }),
    );
    expect(issues.map((i) => i.path.join("."))).toEqual(["gpus", "batch", "ttftMs"]);
  });

  it("the cost objective needs a price for every hardware used", () => {
    const issues = validatePlanSpec(planSpec({ hardwareNames: ["H100", "H20"], objective: "cost" }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/H20/);
  });
});

describe("custom all-reduce notes", () => {
  it("name the TP sizes wider than each accelerator's scale-up domain, only when custom is asked for", () => {
    const axes = { tp: [4, 8, 16] };
    expect(allReduceFallbackNotes(planSpec({ allReduce: "nccl", axes }))).toEqual([]);
    expect(allReduceFallbackNotes(planSpec({ allReduce: "custom", axes: { tp: [4, 8] } }))).toEqual([]);
    const notes = allReduceFallbackNotes(
      planSpec({ allReduce: "custom", axes, hardwareNames: ["H100", "GB200-NVL72"] }),
    );
    expect(notes).toEqual([
      "custom all-reduce does not apply to TP 16 on H100-SXM: wider than its 8-GPU scale-up domain, so those candidates' all-reduces run on NCCL",
    ]);
  });
});
