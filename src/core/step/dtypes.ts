import type { Dtype, WeightBlockSize } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import type { ModelSpec } from "../model/types.ts";

/** Numeric formats of a step. Unset fields follow the model checkpoint and the hardware. */
export interface StepDtypes {
  /** Non-expert weights (default: the checkpoint's). */
  readonly weight: Dtype;
  /** Routed-expert weights (default: the checkpoint's; --weight-dtype sets both). */
  readonly expertWeight: Dtype;
  readonly activation: Dtype;
  readonly kvCache: Dtype;
  /** Format of attention math (FlashAttention/FlashMLA run BF16). */
  readonly attention: Dtype;
  /** Tensor-core format of dense GEMMs and of expert GEMMs. */
  readonly gemmCompute: Dtype;
  readonly expertGemmCompute: Dtype;
  /** MoE all-to-all payload formats (DeepEP: FP8 dispatch, BF16 combine). */
  readonly dispatch: Dtype;
  readonly combine: Dtype;
  /**
   * Weight-scale block of whichever GEMM weights are FP8 (dense, expert), null for per-tensor
   * scales. Default: the checkpoint's (`weight_block_size` of an FP8 checkpoint).
   */
  readonly weightBlockSize: WeightBlockSize | null;
}

/**
 * The tensor-core format a GEMM with these weights runs in on this hardware: FP8/FP4/INT8 weights
 * use the matching peak when the hardware states one (activations quantized on the fly, as
 * DeepGEMM does); otherwise weights are dequantized and the GEMM runs BF16 (W4A16, Marlin-style).
 */
export function gemmComputeDtype(weight: Dtype, hardware: HardwareSpec): Dtype {
  const peaks = hardware.peakFlopsPerSec;
  if (weight === "fp8" && peaks.fp8 !== undefined) return "fp8";
  if (weight === "fp4" && peaks.fp4 !== undefined) return "fp4";
  if (weight === "int8" && peaks.int8 !== undefined) return "int8";
  return "bf16";
}

/** The weight formats in words, as reports print them: "fp8 (128x128 scale blocks)", "bf16 (experts fp4)". */
export function describeWeights(d: StepDtypes): string {
  const experts = d.expertWeight !== d.weight ? ` (experts ${d.expertWeight})` : "";
  const block = d.weightBlockSize;
  const blocks =
    block !== null && (d.weight === "fp8" || d.expertWeight === "fp8")
      ? ` (${block[0]}x${block[1]} scale blocks)`
      : "";
  return `${d.weight}${experts}${blocks}`;
}

/**
 * Why a requested weight-scale block changes nothing, or null: block scales belong to FP8 weights,
 * so a block asked for with BF16 or FP4 weights everywhere is ignored, and said so.
 */
export function unusedWeightBlockWarning(
  d: StepDtypes,
  overrides: Partial<StepDtypes> | undefined,
): string | null {
  const block = overrides?.weightBlockSize;
  if (block === undefined || block === null || d.weight === "fp8" || d.expertWeight === "fp8") return null;
  return `weight block size ${block[0]}x${block[1]} is ignored: it scales FP8 weights, and these are ${describeWeights(d)}`;
}

/** Fills unset formats from the model and the hardware. */
export function resolveDtypes(
  model: ModelSpec,
  hardware: HardwareSpec,
  overrides: Partial<StepDtypes> = {},
): StepDtypes {
  const weight = overrides.weight ?? model.weightDtype;
  const expertWeight =
    overrides.expertWeight ?? (overrides.weight !== undefined ? overrides.weight : model.expertWeightDtype);
  const activation = overrides.activation ?? "bf16";
  const expertGemmCompute = overrides.expertGemmCompute ?? gemmComputeDtype(expertWeight, hardware);
  const lowPrecisionExperts = expertGemmCompute === "fp8" || expertGemmCompute === "fp4";
  return {
    weight,
    expertWeight,
    activation,
    kvCache: overrides.kvCache ?? activation,
    attention: overrides.attention ?? "bf16",
    gemmCompute: overrides.gemmCompute ?? gemmComputeDtype(weight, hardware),
    expertGemmCompute,
    dispatch: overrides.dispatch ?? (lowPrecisionExperts ? "fp8" : activation),
    combine: overrides.combine ?? activation,
    weightBlockSize:
      overrides.weightBlockSize !== undefined ? overrides.weightBlockSize : model.weightBlockSize,
  };
}
