import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planSpec } from "../../../test/helpers/plan.ts";
import { PlanEvaluator } from "./evaluate.ts";
import { mergeSummaries, modeFront } from "./summary.ts";
import { shardIndices, sweepRange } from "./sweep.ts";

// Two accelerators, both modes, a TPOT target that splits the configurations: groups, fronts and misses all non-trivial.
const spec = planSpec({
  hardwareNames: ["H100", "H200"],
  budget: { gpus: 8, gpusPerHardware: [null, 4] },
  axes: { tp: [1, 2, 4], batch: [8, 32, 128], decodeReplicas: [1, 2, 3] },
  slo: { ttftMs: 400, tpotMs: 12, percentile: 90 },
  objective: "cost",
});
const whole = sweepRange(new PlanEvaluator(spec), 0, new PlanEvaluator(spec).size()).summary;

describe("sweeps merge exactly", () => {
  it("the whole sweep is non-trivial: several groups, configurations meeting and missing the targets", () => {
    expect(whole.evaluated).toBe(new PlanEvaluator(spec).size());
    expect(whole.counts.ok).toBeGreaterThan(10);
    expect(whole.counts["misses-tpot"]).toBeGreaterThan(10);
    expect(whole.groups.map((g) => g.label)).toEqual([
      "aggregated H100-SXM",
      "aggregated H200-SXM",
      "H100-SXM prefill + H100-SXM decode",
      "H100-SXM prefill + H200-SXM decode",
      "H200-SXM prefill + H100-SXM decode",
      "H200-SXM prefill + H200-SXM decode",
    ]);
    expect(modeFront(whole, "disaggregated").length).toBeGreaterThan(1);
    expect(whole.closest.length).toBe(5);
  });

  it("any sharding, merged, equals the single run (fresh evaluators per shard, shards in any order)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.boolean(), (count, reverse) => {
        const parts = Array.from({ length: count }, (_, index) => {
          const evaluator = new PlanEvaluator(spec);
          return sweepRange(evaluator, 0, evaluator.size(), { index, count }).summary;
        });
        expect(mergeSummaries(spec, reverse ? parts.reverse() : parts)).toEqual(whole);
      }),
      { numRuns: 10 },
    );
  });

  it("any chunking of the index range, merged, equals the single run", () => {
    const evaluator = new PlanEvaluator(spec);
    const size = evaluator.size();
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: size - 1 }), { maxLength: 6 }), (cuts) => {
        const bounds = [0, ...[...cuts].sort((a, b) => a - b), size];
        const parts = bounds.slice(1).map((to, k) => sweepRange(evaluator, bounds[k] as number, to).summary);
        expect(mergeSummaries(spec, parts)).toEqual(whole);
      }),
      { numRuns: 20 },
    );
  });

  it("rows: every configuration of the shard in index order, figures where it has them", () => {
    const evaluator = new PlanEvaluator(spec);
    const { rows } = sweepRange(evaluator, 10, 200, { index: 1, count: 3 }, true);
    const { first, count } = shardIndices(10, 200, { index: 1, count: 3 });
    expect(first).toBe(10);
    expect(rows?.index).toEqual(Float64Array.from({ length: count }, (_, k) => first + 3 * k));
    rows?.status.forEach((status, k) => {
      // Figures exist from "over-budget" on (status 5); before it (1-4) there are none.
      expect(Number.isNaN(rows.tpotMs[k])).toBe(status >= 1 && status <= 4);
    });
  });

  it("shard index arithmetic: offsets and empty shards", () => {
    expect(shardIndices(0, 10, { index: 0, count: 1 })).toEqual({ first: 0, count: 10 });
    expect(shardIndices(5, 10, { index: 1, count: 4 })).toEqual({ first: 5, count: 2 });
    expect(shardIndices(5, 6, { index: 2, count: 4 })).toEqual({ first: 6, count: 0 });
  });
});
