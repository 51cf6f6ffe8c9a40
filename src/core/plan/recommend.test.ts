import { describe, expect, it } from "vitest";
import { planSpec } from "../../../test/helpers/plan.ts";
import { PlanEvaluator } from "./evaluate.ts";
import { type Recheck, recheckCandidate } from "./recheck.ts";
import { recheckPicks, recommend } from "./recommend.ts";
import { sweepRange } from "./sweep.ts";

const spec = planSpec({
  hardwareNames: ["H100", "H200"],
  axes: { tp: [1, 2], batch: [8, 32, 128] },
  slo: { ttftMs: 400, tpotMs: 12, percentile: 90 },
  objective: "cost",
  recheck: { candidates: 3, requests: 300, load: 0.8, seed: 0 },
});
const evaluator = new PlanEvaluator(spec);
const summary = sweepRange(evaluator, 0, evaluator.size()).summary;
const picks = recheckPicks(spec, summary);
const fake = (index: number, meetsSlo: boolean): Recheck => ({
  index,
  ratePerSec: 1,
  requests: 300,
  ttft: { p50Ms: 100, p90Ms: 200, p99Ms: 300 },
  tpot: { p50Ms: 8, p90Ms: 10, p99Ms: 11 },
  outputTokensPerSecPerGpu: 1000,
  meetsSlo,
  error: null,
});

describe("recommendation", () => {
  it("re-checks the best distinct configurations by the objective", () => {
    expect(picks).toHaveLength(3);
    const costs = picks.map((c) => c.usdPerMillionTokens as number);
    expect([...costs].sort((a, b) => a - b)).toEqual(costs);
    expect(new Set(picks.map((c) => `${c.decode.hardware} ${c.decode.tp} ${c.batch} ${c.mode}`)).size).toBe(
      3,
    );
  });

  it("picks the best that passes its re-check, and says why", () => {
    const all = recommend(
      spec,
      summary,
      picks.map((c) => fake(c.index, true)),
      "h",
      evaluator.size(),
    );
    expect(all.recommended?.candidate.index).toBe(picks[0]?.index);
    const reasons = all.recommended?.reasons.join("\n") ?? "";
    expect(reasons).toMatch(
      /meets every target analytically: TTFT [\d.]+ ms <= 400 ms, TPOT [\d.]+ ms <= 12.0 ms/,
    );
    expect(reasons).toMatch(/TTFT p90 200 ms, TPOT p90 10.0 ms/);
    expect(reasons).toMatch(
      new RegExp(`lowest cost among ${summary.counts.ok.toLocaleString("en-US")} configurations`),
    );
    expect(reasons).toMatch(/deploy \d+ x/);

    const second = recommend(
      spec,
      summary,
      picks.map((c, i) => fake(c.index, i > 0)),
      "h",
      evaluator.size(),
    );
    expect(second.recommended?.candidate.index).toBe(picks[1]?.index);
    expect(second.recommended?.reasons.join("\n")).toMatch(/ranked 2 analytically/);

    const none = recommend(
      spec,
      summary,
      picks.map((c) => fake(c.index, false)),
      "h",
      evaluator.size(),
    );
    expect(none.recommended?.candidate.index).toBe(picks[0]?.index);
    expect(none.recommended?.reasons.join("\n")).toMatch(
      /none of the 3 re-checked configurations meets the targets/,
    );
  });

  it("when nothing meets the targets, says so and names the closest", () => {
    const strict = { ...spec, slo: { ttftMs: 1, tpotMs: 0.5, percentile: 90 as const } };
    const strictSummary = sweepRange(new PlanEvaluator(strict), 0, evaluator.size()).summary;
    const result = recommend(strict, strictSummary, [], "h", evaluator.size());
    expect(result.recommended).toBeNull();
    expect(strictSummary.closest).toHaveLength(5);
    expect(result.noneMeets).toMatch(
      /^no configuration meets every target; the closest, .+, misses the (TTFT|TPOT) target \(worst target off by a factor of [\d.]+\)$/,
    );
  });
});

describe("serving re-check", () => {
  it("serves one unit at the re-check load of its capacity and compares the percentile with the targets", () => {
    const candidate = picks[0];
    if (!candidate) throw new Error("no candidate");
    const r = recheckCandidate(spec, candidate);
    expect(r.error).toBeNull();
    expect(r.ratePerSec).toBeCloseTo((0.8 * candidate.requestsPerSec) / candidate.copies, 9);
    expect(r.requests).toBe(
      Math.max(300, 3 * candidate.decodeReplicas * candidate.decode.dp * candidate.batch),
    );
    expect(r.ttft.p50Ms).toBeLessThanOrEqual(r.ttft.p90Ms);
    expect(r.tpot.p90Ms).toBeLessThanOrEqual(r.tpot.p99Ms);
    expect(r.meetsSlo).toBe(r.ttft.p90Ms <= 400 && r.tpot.p90Ms <= 12);
    // Deterministic: the same seed gives the same figures.
    expect(recheckCandidate(spec, candidate)).toEqual(r);
  });

  it("a workload the replica cannot hold is reported, not thrown", () => {
    const long = {
      ...spec,
      lengths: { kind: "trace" as const, promptTokens: [2_000_000], outputTokens: [10] },
    };
    const candidate = picks[0];
    if (!candidate) throw new Error("no candidate");
    const r = recheckCandidate(long, candidate);
    expect(r.meetsSlo).toBe(false);
    expect(r.error).toMatch(/KV|longer|cache/i);
  });
});

describe("serving re-check of a prefill pool", () => {
  it("prefills as many prompts per iteration as the analytic model (short prompts do not queue)", () => {
    // ISL 100: 81 prompts per iteration; one prefill replica feeds eight decode replicas.
    const short = planSpec({
      lengths: {
        kind: "distributions",
        prompt: { kind: "fixed", tokens: 100 },
        output: { kind: "fixed", tokens: 4 },
      },
      budget: { gpus: 9, gpusPerHardware: [null] },
      axes: { tp: [1], batch: [1], modes: ["disaggregated"], prefillReplicas: [1], decodeReplicas: [8] },
    });
    const e = new PlanEvaluator(short);
    const c = e.candidate(0);
    if (!c) throw new Error("no candidate");
    const r = recheckCandidate(short, c);
    expect(r.error).toBeNull();
    // At 80% of the analytic capacity the prefill replica keeps up: p90 TTFT stays under the full-load estimate.
    expect(r.ttft.p90Ms).toBeLessThan(c.ttftMs);
  });
});
