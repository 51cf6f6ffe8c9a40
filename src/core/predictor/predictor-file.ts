import type { KernelFamily } from "./family.ts";

/** What `llmsim calibrate` writes: the fitted families, JSON-ready (see src/config/schema/predictor.ts). */
export interface PredictorDocument {
  readonly kind: "llmsim-predictor";
  readonly schemaVersion: 1;
  readonly measurements: readonly string[];
  readonly families: readonly {
    readonly hardware: string;
    readonly key: string;
    readonly level: "op" | "kind";
    readonly peakClass: KernelFamily["peakClass"];
    readonly variant: string;
    readonly space: KernelFamily["space"];
    readonly curve: KernelFamily["curve"];
    readonly knots: readonly (readonly number[])[];
    readonly values: readonly number[];
    readonly points: number;
  }[];
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

export function toPredictorDocument(
  families: readonly KernelFamily[],
  measurements: readonly string[],
): PredictorDocument {
  return {
    kind: "llmsim-predictor",
    schemaVersion: 1,
    measurements,
    families: families.map((f) => ({
      hardware: f.hardware,
      key: f.key,
      level: f.level,
      peakClass: f.peakClass,
      variant: f.variant,
      space: f.space,
      curve: f.curve,
      knots: f.grid.knots.map((k) => Array.from(k)),
      // 5 decimals of a log ratio is 1e-5 relative: below any measurement's precision.
      values: Array.from(f.grid.values, (v) => round(v, 5)),
      points: f.points,
    })),
  };
}

/**
 * Files calibrated before block-scaled FP8 was a family variant (until 2026-12-02) hold
 * AIConfigurator's fp8_block GEMMs as an op-level family named "gemm_fp8_block": the same
 * measurements the "gemm" pool of variant "block-128x128" is built from now.
 */
const LEGACY_BLOCK_GEMM = { key: "gemm_fp8_block", level: "op", variant: "" } as const;

export function familiesOfDocument(document: PredictorDocument): KernelFamily[] {
  return document.families.map((f) => {
    const values = Float64Array.from(f.values);
    const legacy =
      f.key === LEGACY_BLOCK_GEMM.key &&
      f.level === LEGACY_BLOCK_GEMM.level &&
      f.variant === LEGACY_BLOCK_GEMM.variant;
    return {
      hardware: f.hardware,
      key: legacy ? "gemm" : f.key,
      level: legacy ? "kind" : f.level,
      peakClass: f.peakClass,
      variant: legacy ? "block-128x128" : f.variant,
      space: f.space,
      curve: f.curve,
      grid: {
        knots: f.knots.map((k) => Float64Array.from(k)),
        values,
        measured: new Uint8Array(values.length),
      },
      points: f.points,
    };
  });
}
