/** Numeric formats for weights, activations, KV cache and GEMM compute. */
export const DTYPES = ["fp32", "bf16", "fp16", "fp8", "int8", "fp4", "int4"] as const;
export type Dtype = (typeof DTYPES)[number];

/**
 * Storage bytes per element. fp4/int4 count 0.5 byte; block scales (e.g. MXFP4's one byte per 32
 * elements, FP8's one float per 128x128 block) are not counted.
 */
export const BYTES_PER_ELEMENT: Readonly<Record<Dtype, number>> = {
  fp32: 4,
  bf16: 2,
  fp16: 2,
  fp8: 1,
  int8: 1,
  fp4: 0.5,
  int4: 0.5,
};

/**
 * Rows x columns of weights that share one scale (block-scaled FP8: DeepSeek-V3's 128 x 128, with
 * activations scaled per 1 x 128 tile). Kernels for it are not the per-tensor-scaled ones of the
 * same format (DeepGEMM vs cuBLAS), so measured predictors keep them apart.
 */
export type WeightBlockSize = readonly [rows: number, columns: number];

/** The weight-scale block a GEMM on these weights carries: only FP8 weights are block-scaled. */
export function weightBlockOf(
  weightDtype: Dtype,
  block: WeightBlockSize | null | undefined,
): WeightBlockSize | null {
  return weightDtype === "fp8" ? (block ?? null) : null;
}

/** Peak-FLOP/s classes an accelerator can state (fp16 shares bf16's tensor rate on every listed part). */
export const PEAK_CLASSES = ["fp32", "bf16", "fp8", "int8", "fp4"] as const;
export type PeakClass = (typeof PEAK_CLASSES)[number];

/** The tensor-core rate a GEMM of this compute dtype runs at. */
export function peakClassOf(dtype: Dtype): PeakClass {
  switch (dtype) {
    case "fp32":
      return "fp32";
    case "bf16":
    case "fp16":
      return "bf16";
    case "fp8":
      return "fp8";
    case "int8":
      return "int8";
    case "fp4":
    case "int4":
      return "fp4";
  }
}

export function isDtype(value: string): value is Dtype {
  return (DTYPES as readonly string[]).includes(value);
}
