import { peakClassOf } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import type { MemoryReport } from "../step/memory.ts";
import type { StepResult } from "../step/result.ts";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const CONFIG = { font: "DejaVu Sans", background: "white", view: { stroke: "#ddd" } };
const COMPONENT_COLORS = {
  domain: ["compute", "memory", "communication"],
  range: ["#4e79a7", "#f28e2b", "#e15759"],
};

/** A block's label in the charts: "L3 moe", or the block's own name for embedding, head and sends. */
export const blockLabel = (layer: { layer: number; kind: string; name: string }): string =>
  layer.layer >= 0 && layer.kind !== "head" ? `L${layer.layer} ${layer.kind}` : layer.name;

/**
 * Per-layer breakdown of a step as Vega-Lite: for every block its compute, memory and communication
 * time stacked (each op's time on its roof, summed over the block's ops), and a tick at the block's
 * time after overlap, the figure the step adds up. Plain JSON; the CLI renders it, the web embeds it.
 */
export function stepBreakdownSpec(result: StepResult, title?: string): Record<string, unknown> {
  const values: { block: string; order: number; component: string; ms: number }[] = [];
  const ticks: { block: string; order: number; ms: number; bound: string }[] = [];
  result.layers.forEach((layer, order) => {
    const block = blockLabel(layer);
    values.push(
      { block, order, component: "compute", ms: layer.computeMs },
      { block, order, component: "memory", ms: layer.memoryMs },
      { block, order, component: "communication", ms: layer.commMs },
    );
    ticks.push({ block, order, ms: layer.dominantMs, bound: layer.bound });
  });
  const x = {
    field: "block",
    type: "nominal",
    title: null,
    sort: ticks.map((t) => t.block),
    axis: { labelAngle: -60, labelLimit: 90 },
  };
  return {
    $schema: SCHEMA,
    ...(title ? { title } : {}),
    width: Math.max(360, 12 * result.layers.length),
    height: 240,
    layer: [
      {
        data: { values },
        mark: { type: "bar" },
        encoding: {
          x,
          y: {
            field: "ms",
            type: "quantitative",
            stack: "zero",
            title: "ms per block (compute + memory + comm)",
          },
          color: { field: "component", type: "nominal", title: "component", scale: COMPONENT_COLORS },
          tooltip: [
            { field: "block", type: "nominal" },
            { field: "component", type: "nominal" },
            { field: "ms", type: "quantitative", format: ".4f" },
          ],
        },
      },
      {
        data: { values: ticks },
        mark: { type: "tick", color: "black", thickness: 2 },
        encoding: {
          x,
          y: { field: "ms", type: "quantitative" },
          tooltip: [
            { field: "block", type: "nominal" },
            { field: "ms", type: "quantitative", title: "after overlap (ms)", format: ".4f" },
            { field: "bound", type: "nominal" },
          ],
        },
      },
    ],
    config: CONFIG,
  };
}

export interface RooflinePoint {
  readonly op: string;
  readonly block: string;
  readonly kind: string;
  readonly bound: string;
  /** FLOPs per byte of HBM traffic. */
  readonly intensity: number;
  /** Achieved TFLOPS: the op's FLOPs over its predicted time. */
  readonly tflops: number;
  readonly ms: number;
}

/**
 * Every compute op of a step placed on the roofline: x = arithmetic intensity, y = the TFLOPS its
 * predicted time achieves. Collectives (no FLOPs, no HBM intensity) are left out. Identical ops of
 * identical layers appear once per layer kind.
 */
export function rooflinePoints(result: StepResult): RooflinePoint[] {
  const points: RooflinePoint[] = [];
  const seen = new Set<unknown>();
  for (const layer of result.layers) {
    if (seen.has(layer.ops)) continue;
    seen.add(layer.ops);
    for (const op of layer.ops) {
      if (op.flops <= 0 || op.arithmeticIntensity <= 0 || op.ms <= 0) continue;
      points.push({
        op: op.name,
        block: blockLabel(layer),
        kind: op.kind,
        bound: op.bound,
        intensity: op.arithmeticIntensity,
        tflops: op.flops / (op.ms * 1e-3) / 1e12,
        ms: op.ms,
      });
    }
  }
  return points;
}

/**
 * The roofline chart: log-log FLOP/byte against TFLOPS, the hardware's roof for each compute format
 * the step uses (HBM bandwidth slope, then the format's peak), and every op as a point coloured by
 * the roof that binds it.
 */
export function rooflineSpec(
  result: StepResult,
  hardware: HardwareSpec,
  title?: string,
): Record<string, unknown> {
  const points = rooflinePoints(result);
  const bandwidth = hardware.hbmBandwidthBytesPerSec ?? Number.NaN;
  const dtypes = new Set<string>();
  for (const layer of result.layers)
    for (const op of layer.ops) if (op.flops > 0) dtypes.add(op.computeDtype);
  const lowIntensity = Math.min(0.5, ...points.map((p) => p.intensity / 2));
  const highIntensity = Math.max(2000, ...points.map((p) => p.intensity * 2));
  const roofs: { roof: string; intensity: number; tflops: number }[] = [];
  for (const dtype of dtypes) {
    const peak = hardware.peakFlopsPerSec[peakClassOf(dtype as never)] ?? hardware.peakFlopsPerSec.bf16;
    if (peak === undefined || !Number.isFinite(bandwidth)) continue;
    const ridge = peak / bandwidth;
    const roof = `${peakClassOf(dtype as never)} roof`;
    if (roofs.some((r) => r.roof === roof)) continue;
    roofs.push(
      { roof, intensity: lowIntensity, tflops: (lowIntensity * bandwidth) / 1e12 },
      {
        roof,
        intensity: Math.max(lowIntensity, Math.min(ridge, highIntensity)),
        tflops: (Math.min(ridge, highIntensity) * bandwidth) / 1e12,
      },
      { roof, intensity: highIntensity, tflops: peak / 1e12 },
    );
  }
  const x = {
    field: "intensity",
    type: "quantitative",
    scale: { type: "log" },
    title: "arithmetic intensity (FLOP / HBM byte)",
  };
  const y = {
    field: "tflops",
    type: "quantitative",
    scale: { type: "log" },
    title: "achieved TFLOPS per GPU",
  };
  return {
    $schema: SCHEMA,
    ...(title ? { title } : {}),
    width: 480,
    height: 300,
    layer: [
      {
        data: { values: roofs },
        mark: { type: "line", strokeDash: [4, 3], color: "#666" },
        encoding: {
          x,
          y,
          detail: { field: "roof", type: "nominal" },
          tooltip: [{ field: "roof", type: "nominal" }],
        },
      },
      {
        data: { values: points },
        mark: { type: "point", filled: true, size: 50, opacity: 0.8 },
        encoding: {
          x,
          y,
          color: {
            field: "bound",
            type: "nominal",
            title: "bound",
            scale: { domain: ["compute", "memory", "comm"], range: ["#4e79a7", "#f28e2b", "#e15759"] },
          },
          tooltip: [
            { field: "op", type: "nominal" },
            { field: "block", type: "nominal" },
            { field: "bound", type: "nominal" },
            { field: "intensity", type: "quantitative", format: ".1f" },
            { field: "tflops", type: "quantitative", format: ".1f" },
            { field: "ms", type: "quantitative", format: ".4f" },
          ],
        },
      },
    ],
    config: CONFIG,
  };
}

/** Memory per GPU as Vega-Lite: weights, KV cache and activations stacked against the usable and total HBM. */
export function memorySpec(memory: MemoryReport, label: string, title?: string): Record<string, unknown> {
  const gb = (bytes: number) => bytes / 1e9;
  const values = [
    { scenario: label, part: "weights", GB: gb(memory.weightsBytes), order: 0 },
    { scenario: label, part: "KV cache", GB: gb(memory.kvCacheBytes), order: 1 },
    { scenario: label, part: "activations", GB: gb(memory.activationsBytes), order: 2 },
  ];
  const limits = [
    { scenario: label, limit: "usable", GB: gb(memory.usableBytes) },
    { scenario: label, limit: "HBM capacity", GB: gb(memory.capacityBytes) },
  ];
  const y = { field: "scenario", type: "nominal", title: null };
  return {
    $schema: SCHEMA,
    ...(title ? { title } : {}),
    width: 480,
    height: 60,
    layer: [
      {
        data: { values },
        mark: { type: "bar" },
        encoding: {
          y,
          x: { field: "GB", type: "quantitative", stack: "zero", title: "GB per GPU" },
          color: {
            field: "part",
            type: "nominal",
            title: null,
            sort: ["weights", "KV cache", "activations"],
            scale: { range: ["#4e79a7", "#59a14f", "#edc948"] },
          },
          order: { field: "order" },
          tooltip: [
            { field: "part", type: "nominal" },
            { field: "GB", type: "quantitative", format: ".2f" },
          ],
        },
      },
      {
        data: { values: limits },
        mark: { type: "rule", strokeWidth: 2, color: "black" },
        encoding: {
          x: { field: "GB", type: "quantitative" },
          strokeDash: {
            field: "limit",
            type: "nominal",
            title: null,
            scale: {
              domain: ["usable", "HBM capacity"],
              range: [
                [4, 3],
                [1, 0],
              ],
            },
          },
          tooltip: [
            { field: "limit", type: "nominal" },
            { field: "GB", type: "quantitative", format: ".2f" },
          ],
        },
      },
    ],
    config: CONFIG,
  };
}
