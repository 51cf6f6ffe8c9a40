import type { Issue } from "../issues.ts";
import type { LayerKind, ModelSpec } from "../model/types.ts";
import { ownEntry } from "../text/own-entry.ts";
import { type DecodeSweepSpec, decodeSweep, type SweepGpu } from "./decode-sweep.ts";
import type { EpDecodeRow } from "./ep-decode.ts";
import { sortRows } from "./views.ts";

/** A model with a different top-k (ShallowSim's n_activated_experts). */
export function withTopK(model: ModelSpec, topK: number): ModelSpec {
  if (!model.moe) return model;
  return { ...model, moe: { ...model.moe, topK } };
}

/** A model with `numLayers` layers: the same leading dense layers, the rest like its first MoE layer. */
export function withLayerCount(model: ModelSpec, numLayers: number): ModelSpec {
  const firstMoe = model.layers.findIndex((layer) => layer.ffn === "moe");
  const dense = firstMoe < 0 ? model.layers.length : firstMoe;
  const moeKind = model.layers[firstMoe] ?? (model.layers[0] as LayerKind);
  const layers = Array.from({ length: numLayers }, (_, i) =>
    i < dense ? (model.layers[i] as LayerKind) : moeKind,
  );
  return { ...model, numLayers, layers };
}

const scaleGpu = (gpu: SweepGpu, field: "scaleUp" | "scaleOut" | "hbm", gbps: number): SweepGpu => {
  const bytesPerSec = gbps * 1e9;
  const h = gpu.hardware;
  switch (field) {
    case "scaleUp":
      return {
        ...gpu,
        hardware: { ...h, scaleUp: { ...h.scaleUp, bandwidthBytesPerSec: bytesPerSec } },
        table: { ...gpu.table, nvlinkGBps: gbps },
      };
    case "scaleOut":
      return {
        ...gpu,
        hardware: { ...h, scaleOut: { ...h.scaleOut, bandwidthBytesPerSec: bytesPerSec } },
        table: { ...gpu.table, pcieGBps: gbps },
      };
    case "hbm":
      return {
        ...gpu,
        hardware: { ...h, hbmBandwidthBytesPerSec: bytesPerSec },
        table: { ...gpu.table, memBandwidthGBps: gbps },
      };
  }
};

interface Sweepable {
  /** Output column (snake_case of the input's name). */
  readonly column: string;
  readonly integer: boolean;
  readonly min: number;
  readonly apply: (spec: DecodeSweepSpec, value: number) => DecodeSweepSpec;
  readonly description: string;
}

/** Inputs `--sweep NAME=START:STOP:STEP` can vary. */
export const SWEEPABLE: Readonly<Record<string, Sweepable>> = {
  "seq-len": {
    column: "seq_len",
    integer: true,
    min: 1,
    apply: (s, v) => ({ ...s, seqLen: v }),
    description: "decode context (KV length)",
  },
  "decode-len": {
    column: "decode_len",
    integer: true,
    min: 0,
    apply: (s, v) => ({ ...s, decodeLen: v }),
    description: "tokens reserved for generation",
  },
  "top-k": {
    column: "top_k",
    integer: true,
    min: 1,
    apply: (s, v) => ({ ...s, model: withTopK(s.model, v) }),
    description: "routed experts per token",
  },
  layers: {
    column: "layers",
    integer: true,
    min: 1,
    apply: (s, v) => ({ ...s, model: withLayerCount(s.model, v) }),
    description: "decoder layers (leading dense layers kept)",
  },
  "nvlink-bw": {
    column: "nvlink_bw",
    integer: false,
    min: Number.MIN_VALUE,
    apply: (s, v) => ({ ...s, gpus: s.gpus.map((g) => scaleGpu(g, "scaleUp", v)) }),
    description: "scale-up bandwidth per GPU, GB/s",
  },
  "pcie-bw": {
    column: "pcie_bw",
    integer: false,
    min: Number.MIN_VALUE,
    apply: (s, v) => ({ ...s, gpus: s.gpus.map((g) => scaleGpu(g, "scaleOut", v)) }),
    description: "scale-out (NIC) bandwidth per GPU, GB/s",
  },
  "mem-bw": {
    column: "mem_bw",
    integer: false,
    min: Number.MIN_VALUE,
    apply: (s, v) => ({ ...s, gpus: s.gpus.map((g) => scaleGpu(g, "hbm", v)) }),
    description: "HBM bandwidth, GB/s",
  },
};

export interface SweepRequest {
  readonly name: string;
  readonly column: string;
  readonly values: readonly number[];
}

/**
 * Parses NAME=START:STOP:STEP (STOP exclusive, as Python's range; STEP defaults to 1).
 *
 * @example
 * parseSweep("seq-len=1024:16384:32").values.length; // 480
 */
export function parseSweep(text: string): { ok: true; sweep: SweepRequest } | { ok: false; issues: Issue[] } {
  const bad = (message: string, allowed?: string[]): { ok: false; issues: Issue[] } => ({
    ok: false,
    issues: [{ code: "invalid-value", path: ["--sweep"], message, ...(allowed ? { allowed } : {}) }],
  });
  const match = /^([a-z-]+)=([^:]+):([^:]+)(?::([^:]+))?$/.exec(text.trim());
  if (!match) return bad(`expected NAME=START:STOP[:STEP], got "${text}"`);
  const [, name = "", startText = "", stopText = "", stepText = "1"] = match;
  const sweepable = ownEntry(SWEEPABLE, name);
  if (!sweepable) return bad(`"${name}" cannot be swept`, Object.keys(SWEEPABLE));
  const [start, stop, step] = [Number(startText), Number(stopText), Number(stepText)];
  if (![start, stop, step].every(Number.isFinite) || step <= 0)
    return bad(`START, STOP and STEP must be numbers with STEP > 0, got "${text}"`);
  if (sweepable.integer && ![start, stop, step].every(Number.isInteger))
    return bad(`${name} takes integers, got "${text}"`);
  if (start < sweepable.min) return bad(`${name} must be >= ${sweepable.min}, got ${start}`);
  // Count before building: a range of 10^12 values must be refused, not allocated.
  const count = Math.max(0, Math.ceil((stop - start) / step));
  if (count > 100_000)
    return bad(`the range ${text} has ${count.toLocaleString("en-US")} values; at most 100,000`);
  const values: number[] = [];
  for (let i = 0; start + i * step < stop; i++) values.push(start + i * step);
  if (values.length === 0) return bad(`the range ${text} is empty (STOP is exclusive)`);
  return { ok: true, sweep: { name, column: sweepable.column, values } };
}

/** The rows kept for one value of the swept input. */
export interface SweepBlock {
  readonly value: number;
  readonly rows: readonly EpDecodeRow[];
}

/**
 * Seed 000's sweep: for each value, the decode table with the input set to it, keeping the best
 * row per (GPU, BatchSize, EP) (ties to the smallest TP), sorted by Total descending; one block
 * per value, in order.
 */
export function decodeSweepOver(
  spec: DecodeSweepSpec,
  sweep: SweepRequest,
  onProgress?: (done: number, total: number) => void,
): SweepBlock[] {
  const sweepable = ownEntry(SWEEPABLE, sweep.name);
  if (!sweepable) throw new RangeError(`unknown sweep input ${sweep.name}`);
  return sweep.values.map((value, index) => {
    const rows = sortRows(decodeSweep(sweepable.apply(spec, value), true), "Total", false);
    onProgress?.(index + 1, sweep.values.length);
    return { value, rows };
  });
}
