import { describe, expect, it } from "vitest";
import { hardware, model } from "../../../test/helpers/fixtures.ts";
import { planSpec } from "../../../test/helpers/plan.ts";
import { kvBytesPerTokenWholeModel } from "../step/kv-capacity.ts";
import { simulateStep } from "../step/simulate.ts";
import { newMetrics, PlanEvaluator, STATUSES } from "./evaluate.ts";
import type { PlanSpec } from "./spec.ts";

const llama = model("meta-llama/Llama-3.1-8B");
const h100 = hardware("H100");

/** The engine's step times the planner builds on: decode of 16 at the mean context, a prefill of 8 prompts. */
const decode16 = simulateStep({
  model: llama,
  hardware: h100,
  workload: { prefill: null, decode: { sequences: 16, contextTokens: 1100 } },
  detail: "totals",
});
const prefill8 = simulateStep({
  model: llama,
  hardware: h100,
  workload: { prefill: { sequences: 8, newTokens: 1000, cachedTokens: 0 }, decode: null },
  detail: "totals",
});
const tDecode = decode16.totals?.latencyMs as number;
const tPrefill = prefill8.totals?.latencyMs as number;

/** The index of the first configuration matching `pick` (by its decoded object). */
function indexOf(
  evaluator: PlanEvaluator,
  pick: (c: ReturnType<PlanEvaluator["space"]["at"]>) => boolean,
): number {
  for (let i = 0; i < evaluator.size(); i++) if (pick(evaluator.space.at(i))) return i;
  throw new Error("no such configuration");
}

const tp1 = (r: { tp: number; hardware: number }) => r.tp === 1 && r.hardware === 0;

function evaluate(spec: PlanSpec, pick: Parameters<typeof indexOf>[1]) {
  const evaluator = new PlanEvaluator(spec);
  const m = newMetrics();
  const status = STATUSES[evaluator.evaluateInto(indexOf(evaluator, pick), m)];
  return { status, m, evaluator };
}

describe("analytic evaluation, hand-derived from the engine's step times", () => {
  it("KV bytes per token of Llama-3.1-8B: 2 (K, V) x 8 KV heads x 128 x 2 B x 32 layers = 131,072", () => {
    expect(kvBytesPerTokenWholeModel(llama, h100)).toBe(131_072);
  });

  it("aggregated: b requests per OSL·t_decode + (b / prompts per iteration)·t_prefill; TTFT = prefill + one decode step", () => {
    const spec = planSpec();
    const { status, m } = evaluate(spec, (c) => c.mode === "aggregated" && tp1(c.role) && c.batch === 16);
    // 8192 / 1000 -> 8 prompts per prefill iteration; 16 / 8 = 2 prefill iterations per cohort of 16.
    const cycleMs = 200 * tDecode + 2 * tPrefill;
    expect(status).toBe("ok");
    expect(m.tpotMs).toBeCloseTo(cycleMs / 200, 9);
    expect(m.ttftMs).toBeCloseTo(tPrefill + tDecode, 9);
    expect(m.unitRequestsPerSec).toBeCloseTo((16 * 1000) / cycleMs, 9);
    expect(m.tokensPerSecPerGpu).toBeCloseTo((16 * 1000 * 200) / cycleMs, 6);
    expect(m.tokensPerSecPerUser).toBeCloseTo(200_000 / cycleMs, 9);
    expect(m.unitGpus).toBe(1);
    expect(m.copies).toBe(8);
    // H100's catalog price, $1.9/GPU-hour.
    expect(m.usdPerMillionTokens).toBeCloseTo((1.9 / (m.tokensPerSecPerGpu * 3600)) * 1e6, 9);
  });

  it("disaggregated 1P3D: rate = min(prefill rate, 3 x decode rate); TTFT adds ISL x KV bytes over the NIC", () => {
    const spec = planSpec({ kvLink: { bandwidthBytesPerSecPerGpu: null, latencySec: 20e-6 } });
    const { status, m } = evaluate(
      spec,
      (c) =>
        c.mode === "disaggregated" &&
        tp1(c.prefill) &&
        tp1(c.decode) &&
        c.batch === 16 &&
        c.prefillReplicas === 1 &&
        c.decodeReplicas === 3,
    );
    const prefillRps = (8 * 1000) / tPrefill;
    const decodeRps = (16 * 1000) / (tDecode * 200);
    // 1000 tokens x 131,072 B over one 50 GB/s NIC, plus 20 µs.
    const transferMs = ((1000 * 131_072) / 50e9 + 20e-6) * 1000;
    expect(status).toBe("ok");
    expect(m.unitRequestsPerSec).toBeCloseTo(Math.min(prefillRps, 3 * decodeRps), 9);
    expect(m.tpotMs).toBeCloseTo(tDecode, 9);
    expect(m.ttftMs).toBeCloseTo(tPrefill + transferMs, 9);
    expect(m.unitGpus).toBe(4);
    expect(m.copies).toBe(2);
    expect(m.tokensPerSecPerGpu).toBeCloseTo((m.unitRequestsPerSec * 200) / 4, 9);
  });

  it("a rate sets the copies (ceil), and a rate beyond the budget is below-rate with its shortfall", () => {
    const pick = (c: ReturnType<PlanEvaluator["space"]["at"]>) =>
      c.mode === "aggregated" && tp1(c.role) && c.batch === 16;
    const base = evaluate(planSpec(), pick).m;
    const rate = 2.5 * base.unitRequestsPerSec;
    const withRate = evaluate(planSpec({ ratePerSec: rate }), pick);
    expect(withRate.status).toBe("ok");
    expect(withRate.m.copies).toBe(3);
    // The rate pays for 3 copies while using 2.5 copies' worth of capacity.
    expect(withRate.m.usdPerMillionTokens).toBeCloseTo(((3 * 1.9) / (rate * 200 * 3600)) * 1e6, 9);
    expect(withRate.m.usdPerMillionTokens).toBeCloseTo((base.usdPerMillionTokens * 3) / 2.5, 9);
    const tooMuch = evaluate(planSpec({ ratePerSec: 10 * base.unitRequestsPerSec }), pick);
    expect(tooMuch.status).toBe("below-rate");
    expect(tooMuch.m.shortfall).toBeCloseTo(10 / 8, 9);
  });

  it("targets: TTFT is checked before TPOT, each with its ratio as the shortfall", () => {
    const pick = (c: ReturnType<PlanEvaluator["space"]["at"]>) =>
      c.mode === "aggregated" && tp1(c.role) && c.batch === 16;
    const base = evaluate(planSpec(), pick).m;
    const ttft = evaluate(
      planSpec({ slo: { ttftMs: base.ttftMs / 2, tpotMs: base.tpotMs / 4, percentile: 90 } }),
      pick,
    );
    expect(ttft.status).toBe("misses-ttft");
    expect(ttft.m.shortfall).toBeCloseTo(4, 9);
    const tpot = evaluate(
      planSpec({ slo: { ttftMs: base.ttftMs * 2, tpotMs: base.tpotMs / 3, percentile: 90 } }),
      pick,
    );
    expect(tpot.status).toBe("misses-tpot");
    expect(tpot.m.shortfall).toBeCloseTo(3, 9);
  });

  it("budgets: a unit larger than the budget, or than a hardware's own limit, is over-budget", () => {
    const pick = (c: ReturnType<PlanEvaluator["space"]["at"]>) =>
      c.mode === "disaggregated" &&
      tp1(c.prefill) &&
      tp1(c.decode) &&
      c.prefillReplicas === 1 &&
      c.decodeReplicas === 3;
    expect(evaluate(planSpec({ budget: { gpus: 3, gpusPerHardware: [null] } }), pick).status).toBe(
      "over-budget",
    );
    const limited = evaluate(planSpec({ budget: { gpus: 8, gpusPerHardware: [5] } }), pick);
    expect(limited.status).toBe("ok");
    expect(limited.m.copies).toBe(1);
  });

  it("a replica whose weights do not fit is does-not-fit; hardware without a NIC figure cannot hand off KV", () => {
    const big = evaluate(
      planSpec({ modelId: "meta-llama/Llama-3.1-70B" }),
      (c) => c.mode === "aggregated" && tp1(c.role),
    );
    expect(big.status).toBe("does-not-fit");
    // A100-SXM4-80GB has no scale-out figure in the catalog.
    const a100 = evaluate(planSpec({ hardwareNames: ["A100-SXM4-80GB"] }), (c) => c.mode === "disaggregated");
    expect(a100.status).toBe("no-kv-link");
  });

  it("the longest request must fit a decoding replica's KV cache on its own", () => {
    const pick = (c: ReturnType<PlanEvaluator["space"]["at"]>) =>
      c.mode === "aggregated" && tp1(c.role) && c.batch === 8;
    // 999 requests of 1000 + 200 tokens and one long one: the means barely move, the longest decides.
    const trace = (longest: number) => ({
      kind: "trace" as const,
      promptTokens: [...new Array<number>(999).fill(1000), longest],
      outputTokens: new Array<number>(1000).fill(200),
    });
    // 72 GB usable less 16 GB of Llama-3.1-8B weights leaves room for about 420,000 tokens at 131,072 B.
    expect(evaluate(planSpec({ lengths: trace(300_000) }), pick).status).toBe("ok");
    expect(evaluate(planSpec({ lengths: trace(600_000) }), pick).status).toBe("does-not-fit");
  });

  it("pipeline stages: the batch must split into whole micro-batches, TPOT = pp x the slowest stage", () => {
    const spec = planSpec({ axes: { pp: [2], batch: [3, 16] } });
    expect(evaluate(spec, (c) => c.mode === "aggregated" && c.batch === 3).status).toBe(
      "batch-not-divisible",
    );
    const { status, m } = evaluate(
      spec,
      (c) => c.mode === "disaggregated" && c.batch === 16 && c.decode.tp === 1,
    );
    const step = simulateStep({
      model: llama,
      hardware: h100,
      parallel: { pp: 2 },
      workload: { prefill: null, decode: { sequences: 8, contextTokens: 1100 } },
      detail: "totals",
    });
    expect(status).toBe("ok");
    expect(m.tpotMs).toBeCloseTo(2 * Math.max(...(step.totals?.stageMs ?? [])), 9);
  });

  it("host overhead lands on every pipeline stage: TPOT + pp x h, TTFT + (prefill pp) x h", () => {
    const pick = (c: Parameters<Parameters<typeof indexOf>[1]>[0]) =>
      c.mode === "disaggregated" && c.batch === 16 && c.decode.tp === 1 && c.prefill.tp === 1;
    const spec = planSpec({ axes: { pp: [2], batch: [16] } });
    const plain = evaluate(spec, pick);
    const withHost = evaluate({ ...spec, hostOverheadMs: 1.5 }, pick);
    expect(plain.status).toBe("ok");
    expect(withHost.status).toBe("ok");
    expect(withHost.m.tpotMs).toBeCloseTo(plain.m.tpotMs + 2 * 1.5, 9);
    expect(withHost.m.ttftMs).toBeCloseTo(plain.m.ttftMs + 2 * 1.5, 9);
  });

  it("hardware the engine cannot price (H100-NVL has no FLOPS figure) is invalid-plan, not an error", () => {
    expect(evaluate(planSpec({ hardwareNames: ["H100-NVL"] }), (c) => c.mode === "aggregated").status).toBe(
      "invalid-plan",
    );
  });

  it("a candidate carries what it is and its figures", () => {
    const spec = planSpec();
    const evaluator = new PlanEvaluator(spec);
    const index = indexOf(
      evaluator,
      (c) =>
        c.mode === "disaggregated" &&
        tp1(c.prefill) &&
        c.decode.tp === 2 &&
        c.batch === 8 &&
        c.decodeReplicas === 3,
    );
    const c = evaluator.candidate(index);
    expect(c?.description).toBe("1P [H100-SXM tp1] + 3D [H100-SXM tp2] batch 8, kv bf16");
    expect(c?.unitGpus).toBe(7);
    expect(c?.copies).toBe(1);
    expect(c?.gpus).toBe(7);
    expect(c?.usdPerHour).toBeCloseTo(7 * 1.9, 9);
    expect(c?.decodeMemory.weightsBytes).toBeGreaterThan(0);
  });
});

describe("TP all-reduce kernels of the candidates (allReduce)", () => {
  it("custom all-reduces cut a TP8 decode's TPOT by the engine's own step difference", () => {
    const pick = (c: ReturnType<PlanEvaluator["space"]["at"]>) =>
      c.mode === "aggregated" && c.role.tp === 8 && c.batch === 8;
    const spec = (allReduce: "nccl" | "custom") =>
      planSpec({ modelId: "meta-llama/Llama-3.1-70B", allReduce, axes: { tp: [8], batch: [8] } });
    const nccl = evaluate(spec("nccl"), pick);
    const custom = evaluate(spec("custom"), pick);
    expect([nccl.status, custom.status]).toEqual(["ok", "ok"]);
    expect(custom.m.tpotMs).toBeLessThan(nccl.m.tpotMs);
    const step = (allReduce: "nccl" | "custom") =>
      simulateStep({
        model: model("meta-llama/Llama-3.1-70B"),
        hardware: h100,
        parallel: { tp: 8 },
        workload: { prefill: null, decode: { sequences: 8, contextTokens: 1100 } },
        allReduce,
        detail: "totals",
      }).totals?.latencyMs as number;
    // The all-reduces' time does not depend on the context, so TPOT moves by exactly the step
    // difference at the same batch, whatever context bucket the planner prices.
    const stepGain = step("nccl") - step("custom");
    expect(stepGain).toBeGreaterThan(1);
    expect(nccl.m.tpotMs - custom.m.tpotMs).toBeCloseTo(stepGain, 6);
  });
});
