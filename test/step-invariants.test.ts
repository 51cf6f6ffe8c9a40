import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HardwareSpec } from "../src/core/hardware/types.ts";
import type { ModelSpec } from "../src/core/model/types.ts";
import type { OverlapPolicy } from "../src/core/step/overlap.ts";
import { simulateStep } from "../src/core/step/simulate.ts";
import type { StepWorkload } from "../src/core/step/workload.ts";
import { hardware, model } from "./helpers/fixtures.ts";

const MODELS: readonly ModelSpec[] = [
  model("meta-llama/Llama-3.1-8B"),
  model("Qwen/Qwen3-30B-A3B"),
  model("deepseek-ai/DeepSeek-V2-Lite"),
  model("openai/gpt-oss-120b"),
  model("mistralai/Mixtral-8x7B-v0.1"),
];
const GPUS = ["H100", "H800", "B200", "MI300X", "GB200-NVL72"].map(hardware);

/** A valid plan for the model: TP divides heads and KV heads, EP divides tp·dp and fits the experts. */
const scenario = fc
  .record({
    modelIndex: fc.nat(MODELS.length - 1),
    gpuIndex: fc.nat(GPUS.length - 1),
    tpLog: fc.nat(3),
    dpLog: fc.nat(3),
    pp: fc.integer({ min: 1, max: 3 }),
    useEp: fc.boolean(),
    phase: fc.constantFrom("prefill", "decode", "mixed"),
    batch: fc.integer({ min: 1, max: 256 }),
    seq: fc.integer({ min: 1, max: 8192 }),
    cached: fc.integer({ min: 0, max: 4096 }),
    overlap: fc.constantFrom<OverlapPolicy>("none", "full", "two-micro-batch"),
  })
  .map((s) => {
    const m = MODELS[s.modelIndex] as ModelSpec;
    const heads = m.attention.numHeads;
    const kv = m.attention.kind === "gqa" ? m.attention.numKvHeads : heads;
    let tp = 2 ** s.tpLog;
    while (tp > 1 && (heads % tp !== 0 || (kv % tp !== 0 && tp % kv !== 0))) tp /= 2;
    const dp = 2 ** s.dpLog;
    const ep = s.useEp && m.moe ? Math.min(tp * dp, m.moe.numExperts) : 1;
    const workload: StepWorkload =
      s.phase === "prefill"
        ? {
            prefill: { sequences: Math.ceil(s.batch / 32), newTokens: s.seq, cachedTokens: s.cached },
            decode: null,
          }
        : s.phase === "decode"
          ? { prefill: null, decode: { sequences: s.batch, contextTokens: s.seq } }
          : {
              prefill: { sequences: 1, newTokens: s.seq, cachedTokens: s.cached },
              decode: { sequences: s.batch, contextTokens: s.seq },
            };
    return {
      model: m,
      gpu: GPUS[s.gpuIndex] as HardwareSpec,
      parallel: { tp, dp, pp: s.pp, ep: (tp * dp) % ep === 0 ? ep : 1 },
      workload,
      overlap: s.overlap,
    };
  });

const run = (
  s: {
    model: ModelSpec;
    gpu: HardwareSpec;
    parallel: object;
    workload: StepWorkload;
    overlap: OverlapPolicy;
  },
  gpu = s.gpu,
  workload = s.workload,
) =>
  simulateStep({
    model: s.model,
    hardware: gpu,
    parallel: s.parallel,
    workload,
    overlap: s.overlap,
    ignoreMemory: true,
    detail: "totals",
  });

const scaled = (gpu: HardwareSpec, factor: number): HardwareSpec => ({
  ...gpu,
  hbmBandwidthBytesPerSec: (gpu.hbmBandwidthBytesPerSec ?? 0) * factor,
  scaleUp: { ...gpu.scaleUp, bandwidthBytesPerSec: (gpu.scaleUp.bandwidthBytesPerSec ?? 0) * factor },
  scaleOut: { ...gpu.scaleOut, bandwidthBytesPerSec: (gpu.scaleOut.bandwidthBytesPerSec ?? 0) * factor },
});

const moreSequences = (workload: StepWorkload, extra: number): StepWorkload => ({
  prefill: workload.prefill ? { ...workload.prefill, sequences: workload.prefill.sequences + extra } : null,
  decode: workload.decode ? { ...workload.decode, sequences: workload.decode.sequences + extra } : null,
});

describe("step invariants (property tests)", () => {
  it("no NaN, infinite or negative time for any valid input", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const t = run(s).totals;
        expect(t).not.toBeNull();
        for (const value of [
          t?.latencyMs,
          t?.computeMs,
          t?.memoryMs,
          t?.commMs,
          t?.exposedCommMs,
          t?.tokensPerSecPerGpu,
        ]) {
          expect(Number.isFinite(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("more bandwidth (HBM, scale-up, scale-out) never slows a step", () => {
    fc.assert(
      fc.property(scenario, fc.double({ min: 1, max: 8, noNaN: true }), (s, factor) => {
        const base = run(s).totals?.latencyMs ?? Number.NaN;
        const faster = run(s, scaled(s.gpu, factor)).totals?.latencyMs ?? Number.NaN;
        expect(faster).toBeLessThanOrEqual(base * (1 + 1e-12));
      }),
      { numRuns: 200 },
    );
  });

  it("more batch never lowers step time", () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 1, max: 64 }), (s, extra) => {
        const base = run(s).totals?.latencyMs ?? Number.NaN;
        const bigger = run(s, s.gpu, moreSequences(s.workload, extra)).totals?.latencyMs ?? Number.NaN;
        expect(bigger).toBeGreaterThanOrEqual(base * (1 - 1e-12));
      }),
      { numRuns: 200 },
    );
  });

  it("more TP never raises per-GPU weight bytes", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const doubled = { ...s.parallel, tp: (s.parallel as { tp: number }).tp * 2 };
        const m = s.model;
        const kv = m.attention.kind === "gqa" ? m.attention.numKvHeads : m.attention.numHeads;
        fc.pre(m.attention.numHeads % doubled.tp === 0 && (kv % doubled.tp === 0 || doubled.tp % kv === 0));
        const base = run({ ...s, parallel: { ...s.parallel, ep: 1 } }).memory.weightsBytes;
        const wider = run({ ...s, parallel: { ...doubled, ep: 1 } }).memory.weightsBytes;
        expect(wider).toBeLessThanOrEqual(base);
      }),
      { numRuns: 200 },
    );
  });

  it("the same input gives byte-identical JSON", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(JSON.stringify(run(s))).toBe(JSON.stringify(run(s)));
      }),
      { numRuns: 50 },
    );
  });
});
