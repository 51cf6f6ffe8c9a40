import { describe, expect, it } from "vitest";
import { HardwareRegistry } from "../hardware/catalog.ts";
import { hardwareSpecOf } from "../hardware/resolve.ts";
import { builtinModel } from "../model/catalog.ts";
import type { LayerExecution, OpRecord, StepResult } from "../step/result.ts";
import { simulateStep } from "../step/simulate.ts";
import { compareSteps } from "./compare-steps.ts";

const op = (name: string, ms: number): OpRecord => ({ name, ms }) as unknown as OpRecord;
const layer = (kind: string, dominantMs: number, ops: OpRecord[]): LayerExecution =>
  ({ kind, dominantMs, ops }) as unknown as LayerExecution;
const step = (latencyMs: number, layers: LayerExecution[]): StepResult =>
  ({
    layers,
    totals: { latencyMs, computeMs: 0, memoryMs: 0, commMs: 0, exposedCommMs: 0 },
  }) as unknown as StepResult;

describe("compareSteps", () => {
  it("splits a hand-built difference over ops, overlap and block kinds", () => {
    // A: gemm 2 + a2a 1 overlapped to 2.5 (0.5 hidden); B: gemm 1 + a2a 1, nothing hidden.
    const a = step(2.5, [layer("moe", 2.5, [op("gemm", 2), op("a2a", 1)])]);
    const b = step(2, [layer("moe", 2, [op("gemm", 1), op("a2a", 1)])]);
    const c = compareSteps(a, b);
    expect(c.deltaMs).toBeCloseTo(-0.5, 12);
    expect(c.byOp.find((r) => r.component === "gemm")?.deltaMs).toBeCloseTo(-1, 12);
    expect(c.byOp.find((r) => r.component === "a2a")?.deltaMs).toBe(0);
    expect(c.byOp.find((r) => r.component.startsWith("overlap"))?.deltaMs).toBeCloseTo(0.5, 12);
    expect(c.byBlock).toEqual([{ component: "moe", aMs: 2.5, bMs: 2, deltaMs: -0.5 }]);
  });

  it("rows add up to the latency difference of real steps (H800 vs H20, pp 2)", () => {
    const model = builtinModel("deepseek-ai/DeepSeek-V3");
    if (!model.ok) throw new Error("catalog");
    const registry = new HardwareRegistry();
    const run = (name: string) =>
      simulateStep({
        model: model.model,
        hardware: hardwareSpecOf(registry.get(name) as never),
        parallel: { dp: 16, ep: 16, pp: 2 },
        workload: { prefill: null, decode: { sequences: 32, contextTokens: 2048 } },
        overlap: "two-micro-batch",
        ignoreMemory: true,
      });
    const c = compareSteps(run("H800"), run("H20"));
    const sum = (rows: readonly { deltaMs: number }[]) => rows.reduce((s, r) => s + r.deltaMs, 0);
    expect(c.deltaMs).toBeGreaterThan(0);
    expect(sum(c.byOp)).toBeCloseTo(c.deltaMs, 9);
    expect(sum(c.byBlock)).toBeCloseTo(c.deltaMs, 9);
  });
});
