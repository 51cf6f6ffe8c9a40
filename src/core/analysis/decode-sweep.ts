import type { HardwareSpec } from "../hardware/types.ts";
import type { ModelSpec } from "../model/types.ts";
import {
  type ShallowSimDecodeContext,
  shallowsimDecodeContext,
  shallowsimDecodeRow,
} from "../presets/shallowsim/decode.ts";
import type { GpuTableRow } from "../presets/shallowsim/gpu-table.ts";
import { shallowsimPredictor } from "../presets/shallowsim/predictor.ts";
import { moeShape } from "../presets/shallowsim/shapes.ts";
import type { OverlapPolicy } from "../step/overlap.ts";
import { engineDecodeRow } from "./engine-physics.ts";
import {
  type DecodeRule,
  type EpDecodeColumns,
  type EpDecodeRow,
  epDecodeRow,
  epDecodeTpotMs,
} from "./ep-decode.ts";

/** "llmsim": the engine's own physics; "shallowsim": ShallowSim's assumptions as a preset. */
export type Physics = "llmsim" | "shallowsim";

/** A GPU of a sweep: its spec, and its row in ShallowSim's table form (for the preset). */
export interface SweepGpu {
  readonly name: string;
  readonly hardware: HardwareSpec;
  readonly table: GpuTableRow;
}

export interface DecodeSweepSpec {
  readonly model: ModelSpec;
  readonly gpus: readonly SweepGpu[];
  readonly batchSizes: readonly number[];
  readonly tps: readonly number[];
  readonly eps: readonly number[];
  /** KV length attended by each decode token. */
  readonly seqLen: number;
  /** Tokens still to generate (ShallowSim's memory filter reserves KV for them). */
  readonly decodeLen: number;
  /** FP8 combine on FP4-capable GPUs (ShallowSim's fp8_combine). */
  readonly fp8Combine: boolean;
  /** Keep rows with TPS strictly above this. */
  readonly tpsLimit: number;
  readonly physics: Physics;
  /** Overlap policy of the llmsim physics (the preset always uses ShallowSim's Delta rule). */
  readonly overlap: OverlapPolicy;
}

const presetContexts = new WeakMap<SweepGpu, WeakMap<ModelSpec, ShallowSimDecodeContext[]>>();

/** The preset's per-GPU context, reused while the GPU, model and fp8_combine stay the same (sweeps). */
function presetContext(spec: DecodeSweepSpec, gpu: SweepGpu): ShallowSimDecodeContext {
  let byModel = presetContexts.get(gpu);
  if (!byModel) {
    byModel = new WeakMap();
    presetContexts.set(gpu, byModel);
  }
  let contexts = byModel.get(spec.model);
  if (!contexts) {
    contexts = [];
    byModel.set(spec.model, contexts);
  }
  const index = spec.fp8Combine ? 1 : 0;
  let context = contexts[index];
  if (!context) {
    context = shallowsimDecodeContext(
      spec.model,
      gpu.table,
      gpu.hardware,
      shallowsimPredictor(gpu.table, "decode"),
      spec.fp8Combine,
    );
    contexts[index] = context;
  }
  return context;
}

/**
 * The EP decode table: one row per feasible (EP, GPU, batch, TP), enumerated in ShallowSim's
 * order (EP outermost, then GPU, batch size, TP). With `bestTpOnly`, only the TP with the highest
 * Total of each (EP, GPU, batch) is kept (ties to the first, i.e. smallest, TP) and the other rows
 * are never built: the sweep's selection, at a third of the allocation.
 */
export function decodeSweep(spec: DecodeSweepSpec, bestTpOnly = false): EpDecodeRow[] {
  const rows: EpDecodeRow[] = [];
  const { denseLayers, sparseLayers } = moeShape(spec.model);
  const contexts = spec.gpus.map((gpu) => (spec.physics === "shallowsim" ? presetContext(spec, gpu) : null));
  const noRule: DecodeRule = {};
  for (const ep of spec.eps) {
    spec.gpus.forEach((gpu, gpuIndex) => {
      const context = contexts[gpuIndex];
      for (const batch of spec.batchSizes) {
        let best: { columns: EpDecodeColumns; rule: DecodeRule; tp: number; total: number } | null = null;
        for (const tp of spec.tps) {
          let columns: EpDecodeColumns | null = null;
          let rule = noRule;
          if (context) {
            columns = shallowsimDecodeRow(context, ep, batch, tp, spec.seqLen, spec.decodeLen);
          } else {
            const engine = engineDecodeRow(
              { model: spec.model, hardware: gpu.hardware, overlap: spec.overlap },
              ep,
              batch,
              tp,
              spec.seqLen,
            );
            if (engine) {
              columns = engine.columns;
              rule = { delta: engine.delta, otherMs: engine.otherMs };
            }
          }
          if (!columns) continue;
          const tpot = epDecodeTpotMs(columns, denseLayers, sparseLayers, rule);
          if (1000 / tpot <= spec.tpsLimit) continue;
          if (!bestTpOnly)
            rows.push(epDecodeRow(gpu.name, tp, ep, batch, columns, denseLayers, sparseLayers, rule));
          else {
            // Same arithmetic as the row's Total; the first TP wins exact ties (pandas keep="first").
            const total = (1000 / tpot) * batch;
            if (!best || total > best.total) best = { columns, rule, tp, total };
          }
        }
        if (best)
          rows.push(
            epDecodeRow(gpu.name, best.tp, ep, batch, best.columns, denseLayers, sparseLayers, best.rule),
          );
      }
    });
  }
  return rows;
}
