import { BYTES_PER_ELEMENT } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import { normParams } from "../model/params.ts";
import type { ModelSpec } from "../model/types.ts";
import {
  attentionWeightBytes,
  embeddingWeightBytesPerGpu,
  layerKvBytesPerGpu,
  layerWeightBytesPerGpu,
} from "../step/memory.ts";
import type { StepWorkload } from "../step/workload.ts";
import type { AfdSides } from "./sides.ts";

/** Bytes one GPU of each side holds, and whether each fits in its usable HBM. */
export interface AfdMemory {
  readonly attentionGpuBytes: number;
  readonly ffnGpuBytes: number;
  readonly attentionFits: boolean;
  readonly ffnFits: boolean;
}

/**
 * Attention GPU: every layer's attention weights and norms, its KV cache for the whole batch, the
 * embedding and LM head. FFN GPU: every layer's FFN weights (the engine's layer weights minus the
 * attention part: its expert slots at EP = FFN GPUs, shared expert and router, or the dense MLP).
 * Transient activations are not counted (a few MB at decode batch sizes).
 */
export function afdMemory(
  model: ModelSpec,
  sides: AfdSides,
  workload: StepWorkload,
  attentionHardware: HardwareSpec,
  ffnHardware: HardwareSpec,
  memoryUtilization: number,
): AfdMemory {
  const { attentionPlan, ffnPlan, attentionDtypes, ffnDtypes } = sides;
  const norms = model.normsPerLayer * normParams(model) * BYTES_PER_ELEMENT[model.unquantizedDtype];
  const { embedding, head } = embeddingWeightBytesPerGpu(model, attentionPlan);
  let attentionGpuBytes = embedding + head;
  let ffnGpuBytes = 0;
  for (const layer of model.layers) {
    attentionGpuBytes +=
      attentionWeightBytes(model, attentionPlan, attentionDtypes) +
      norms +
      layerKvBytesPerGpu(model, layer, attentionPlan, attentionDtypes, workload);
    ffnGpuBytes +=
      layerWeightBytesPerGpu(model, layer, ffnPlan, ffnDtypes) -
      attentionWeightBytes(model, ffnPlan, ffnDtypes);
  }
  const usable = (hardware: HardwareSpec) => (hardware.hbmBytes ?? 0) * memoryUtilization;
  return {
    attentionGpuBytes,
    ffnGpuBytes,
    attentionFits: attentionGpuBytes <= usable(attentionHardware),
    ffnFits: ffnGpuBytes <= usable(ffnHardware),
  };
}
