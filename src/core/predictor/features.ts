import type { Op } from "../ops/types.ts";

/**
 * The axes a kernel family's correction grid is indexed on (all log2):
 * - "gemm-shape": M, N, K of a (grouped) GEMM — tile and wave effects follow the shape;
 * - "flops-bytes": FLOPs and HBM bytes (attention: the shape is heads x lengths, summarized);
 * - "bytes": HBM bytes (norms, activations, embedding: bandwidth-bound streams).
 */
export type FeatureSpace = "gemm-shape" | "flops-bytes" | "bytes";

export const FEATURE_AXES: Readonly<Record<FeatureSpace, readonly string[]>> = {
  "gemm-shape": ["log2_m", "log2_n", "log2_k"],
  "flops-bytes": ["log2_flops", "log2_bytes"],
  bytes: ["log2_bytes"],
};

export function featureSpaceOf(op: Op): FeatureSpace {
  if (op.shape !== null && (op.kind === "gemm" || op.kind === "grouped-gemm")) return "gemm-shape";
  return op.kind === "attention" ? "flops-bytes" : "bytes";
}

/** Writes the op's features in its space into `out` (no allocation); values are log2 of positive figures. */
export function writeFeatures(op: Op, space: FeatureSpace, out: Float64Array): void {
  const bytes = Math.max(1, op.bytesRead + op.bytesWritten);
  switch (space) {
    case "gemm-shape": {
      const shape = op.shape as { m: number; n: number; k: number };
      out[0] = Math.log2(Math.max(shape.m, 1e-9));
      out[1] = Math.log2(shape.n);
      out[2] = Math.log2(shape.k);
      return;
    }
    case "flops-bytes":
      out[0] = Math.log2(Math.max(1, op.flops));
      out[1] = Math.log2(bytes);
      return;
    case "bytes":
      out[0] = Math.log2(bytes);
      return;
  }
}
