import { describe, expect, it } from "vitest";
import type { HardwareSpec } from "../hardware/types.ts";
import type { MemoryReport } from "../step/memory.ts";
import type { StepResult } from "../step/result.ts";
import { memorySpec, rooflinePoints, rooflineSpec, stepBreakdownSpec } from "./step-charts.ts";

const op = (name: string, kind: string, flops: number, intensity: number, ms: number, bound: string) => ({
  name,
  kind,
  computeDtype: "bf16",
  flops,
  arithmeticIntensity: intensity,
  ms,
  bound,
});
const ops = [op("gemm", "gemm", 2e12, 500, 1, "compute"), op("a2a", "collective", 0, 0, 0.5, "comm")];
const layer = (index: number) => ({
  layer: index,
  name: `layer ${index}`,
  kind: "moe",
  computeMs: 1,
  memoryMs: 0.25,
  commMs: 0.5,
  dominantMs: 1.5,
  bound: "compute",
  ops,
});
const result = { layers: [layer(0), layer(1)], totals: {} } as unknown as StepResult;
// H100-like figures, for the arithmetic only.
const hardware = {
  peakFlopsPerSec: { bf16: 1000e12 },
  hbmBandwidthBytesPerSec: 4e12,
} as unknown as HardwareSpec;

type Layered = { layer: { data: { values: Record<string, unknown>[] } }[] };

describe("step charts", () => {
  it("places each distinct op on the roofline at FLOPs / time (collectives left out)", () => {
    const points = rooflinePoints(result);
    // The two layers share one op list: one point, 2e12 FLOP in 1 ms = 2000 TFLOPS.
    expect(points).toHaveLength(1);
    expect(points[0]?.tflops).toBeCloseTo(2000, 9);
    expect(points[0]?.intensity).toBe(500);
  });

  it("draws the bf16 roof: bandwidth slope up to the ridge (peak / bandwidth = 250 FLOP/B), then the peak", () => {
    const spec = rooflineSpec(result, hardware) as unknown as Layered;
    const roof = spec.layer[0]?.data.values as { intensity: number; tflops: number }[];
    expect(roof.map((r) => r.intensity)).toEqual([0.5, 250, 2000]);
    // 0.5 FLOP/B x 4 TB/s = 2 TFLOPS; at the ridge and beyond, the 1000 TFLOPS peak.
    expect(roof.map((r) => r.tflops)).toEqual([2, 1000, 1000]);
  });

  it("stacks compute, memory and communication per block, with the after-overlap tick", () => {
    const spec = stepBreakdownSpec(result) as unknown as Layered;
    const bars = spec.layer[0]?.data.values ?? [];
    const ticks = spec.layer[1]?.data.values ?? [];
    expect(bars).toHaveLength(6);
    expect(bars.filter((b) => b.block === "L1 moe").map((b) => b.ms)).toEqual([1, 0.25, 0.5]);
    expect(ticks.map((t) => t.ms)).toEqual([1.5, 1.5]);
  });

  it("shows memory in GB against the usable and total HBM", () => {
    const memory: MemoryReport = {
      weightsBytes: 40e9,
      kvCacheBytes: 20e9,
      activationsBytes: 1e9,
      totalBytes: 61e9,
      capacityBytes: 80e9,
      usableBytes: 72e9,
      fits: true,
      stage: 0,
    };
    const spec = memorySpec(memory, "x") as unknown as Layered;
    expect(spec.layer[0]?.data.values.map((v) => v.GB)).toEqual([40, 20, 1]);
    expect(spec.layer[1]?.data.values.map((v) => v.GB)).toEqual([72, 80]);
  });
});
