import type { ModelSpec } from "../model/types.ts";
import { shallowsimPredictor } from "../presets/shallowsim/predictor.ts";
import { shallowsimPrefillColumns } from "../presets/shallowsim/prefill.ts";
import { moeShape } from "../presets/shallowsim/shapes.ts";
import type { OverlapPolicy } from "../step/overlap.ts";
import type { Physics, SweepGpu } from "./decode-sweep.ts";
import { enginePrefill } from "./engine-physics.ts";
import {
  type EpPrefillBreakdown,
  epPrefillBreakdown,
  isDenseItem,
  PREFILL_ITEMS,
  prefillItemValue,
} from "./ep-prefill.ts";

export interface PrefillSpec {
  readonly model: ModelSpec;
  readonly gpus: readonly SweepGpu[];
  readonly seqLen: number;
  readonly kvCacheRate: number;
  readonly tp: number;
  readonly dp: number;
  readonly physics: Physics;
  readonly overlap: OverlapPolicy;
}

/**
 * The prefill breakdown per GPU. Under llmsim's physics `sumMs` is the engine's step time (its
 * overlap policy, embedding and LM head included) rather than ShallowSim's two-residue rule.
 */
export function prefillBreakdown(spec: PrefillSpec): { gpu: string; breakdown: EpPrefillBreakdown }[] {
  const shape = moeShape(spec.model);
  return spec.gpus.map((gpu) => {
    if (spec.physics === "shallowsim") {
      const columns = shallowsimPrefillColumns({
        model: spec.model,
        row: gpu.table,
        hardware: gpu.hardware,
        predictor: shallowsimPredictor(gpu.table, "prefill"),
        seqLen: spec.seqLen,
        kvCacheRate: spec.kvCacheRate,
        tp: spec.tp,
        dp: spec.dp,
      });
      return {
        gpu: gpu.name,
        breakdown: epPrefillBreakdown(columns, shape.denseLayers, shape.sparseLayers, spec.seqLen, spec.tp),
      };
    }
    const engine = enginePrefill(
      { model: spec.model, hardware: gpu.hardware, overlap: spec.overlap },
      spec.seqLen,
      spec.kvCacheRate,
      spec.tp,
      spec.dp,
    );
    const derived = epPrefillBreakdown(
      engine.columns,
      shape.denseLayers,
      shape.sparseLayers,
      spec.seqLen,
      spec.tp,
    );
    return {
      gpu: gpu.name,
      breakdown: {
        ...derived,
        sumMs: engine.stepMs,
        tokensPerSecPerGpu: ((spec.seqLen / spec.tp) * 1000) / engine.stepMs,
      },
    };
  });
}

/** Seed 001's two tables: per item (ms per layer, one column per GPU) and the whole-prefill summary. */
export function prefillTables(
  model: ModelSpec,
  results: readonly { gpu: string; breakdown: EpPrefillBreakdown }[],
): {
  detail: { head: string[]; rows: (string | number)[][] };
  summary: { head: string[]; rows: (string | number)[][] };
} {
  const { denseLayers, sparseLayers } = moeShape(model);
  const names = results.map((r) => r.gpu);
  return {
    detail: {
      head: ["Item", "Layers", ...names],
      rows: PREFILL_ITEMS.map((item) => [
        item,
        isDenseItem(item) ? denseLayers : sparseLayers,
        ...results.map((r) => prefillItemValue(r.breakdown, item)),
      ]),
    },
    summary: {
      head: ["Item", ...names],
      rows: [
        ["Compute", ...results.map((r) => r.breakdown.computeMs)],
        ["Comm", ...results.map((r) => r.breakdown.commMs)],
        ["Sum", ...results.map((r) => r.breakdown.sumMs)],
        ["Tokens/s per GPU", ...results.map((r) => r.breakdown.tokensPerSecPerGpu)],
      ],
    },
  };
}
