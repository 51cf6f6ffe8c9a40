import type { DecodeSweepSpec, Physics, SweepGpu } from "../core/analysis/decode-sweep.ts";
import type { PrefillSpec } from "../core/analysis/prefill-breakdown.ts";
import { InputError } from "../core/issues.ts";
import type { ModelSpec } from "../core/model/types.ts";
import type { OverlapPolicy } from "../core/step/overlap.ts";

/** Seed 000's decode table: 6 batch sizes x 3 TP x 6 EP at ShallowSim's sequence lengths. */
export const DECODE_SWEEP_DEFAULTS = {
  model: "deepseek-ai/DeepSeek-V3",
  batchSizes: [16, 32, 64, 128, 256, 512],
  tps: [1, 4, 8],
  eps: [8, 16, 36, 72, 144, 320],
  seqLen: 4383,
  decodeLen: 1210,
  overlap: "two-micro-batch",
} as const;

/** Seed 001's prefill table settings. */
export const PREFILL_DEFAULTS = {
  model: "deepseek-ai/DeepSeek-V3",
  seqLen: 4383,
  kvCacheRate: 0.563,
  tp: 4,
  dp: 8,
  overlap: "two-micro-batch",
} as const;

/** The EP analyses need experts; `flag` names the option that chose the model. */
export function requireMoe(model: ModelSpec, command: string, flag = "--model"): void {
  if (!model.moe)
    throw new InputError([
      {
        code: "invalid-value",
        path: [flag],
        message: `${model.id} has no experts; ${command} analyses MoE models`,
      },
    ]);
}

export interface DecodeSweepOptions {
  readonly batchSizes?: readonly number[];
  readonly tps?: readonly number[];
  readonly eps?: readonly number[];
  readonly seqLen?: number;
  readonly decodeLen?: number;
  readonly fp8Combine?: boolean;
  readonly tpsLimit?: number;
  readonly overlap?: OverlapPolicy;
}

/** The decode table's spec with seed 000's defaults (`llmsim decode-sweep` and the web app). */
export function decodeSweepSpecOf(
  model: ModelSpec,
  gpus: readonly SweepGpu[],
  physics: Physics,
  options: DecodeSweepOptions,
): DecodeSweepSpec {
  requireMoe(model, "decode-sweep");
  const d = DECODE_SWEEP_DEFAULTS;
  return {
    model,
    gpus,
    batchSizes: options.batchSizes ?? d.batchSizes,
    tps: options.tps ?? d.tps,
    eps: options.eps ?? d.eps,
    seqLen: options.seqLen ?? d.seqLen,
    decodeLen: options.decodeLen ?? d.decodeLen,
    fp8Combine: options.fp8Combine === true,
    tpsLimit: options.tpsLimit ?? 0,
    physics,
    overlap: options.overlap ?? d.overlap,
  };
}

export interface PrefillOptions {
  readonly seqLen?: number;
  readonly kvCacheRate?: number;
  readonly tp?: number;
  readonly dp?: number;
  readonly overlap?: OverlapPolicy;
}

/** The prefill table's spec with seed 001's defaults; TP must divide the attention heads. */
export function prefillSpecOf(
  model: ModelSpec,
  gpus: readonly SweepGpu[],
  physics: Physics,
  options: PrefillOptions,
): PrefillSpec {
  requireMoe(model, "prefill-breakdown");
  const d = PREFILL_DEFAULTS;
  const tp = options.tp ?? d.tp;
  if (model.attention.numHeads % tp !== 0) {
    throw new InputError([
      {
        code: "invalid-value",
        path: ["--tp"],
        message: `TP ${tp} does not divide the ${model.attention.numHeads} attention heads of ${model.id}`,
      },
    ]);
  }
  return {
    model,
    gpus,
    seqLen: options.seqLen ?? d.seqLen,
    kvCacheRate: options.kvCacheRate ?? d.kvCacheRate,
    tp,
    dp: options.dp ?? d.dp,
    physics,
    overlap: options.overlap ?? d.overlap,
  };
}
