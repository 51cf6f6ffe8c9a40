import type { HardwareSpec } from "../hardware/types.ts";
import type { Op } from "../ops/types.ts";

export type Bound = "compute" | "memory" | "comm";

/** Predicted time of one op on one GPU. */
export interface OpTiming {
  /** FLOPs at the achievable peak. */
  readonly computeMs: number;
  /** HBM bytes at the achievable bandwidth. */
  readonly memoryMs: number;
  /** Collective time on the network. */
  readonly commMs: number;
  /** The op's predicted duration. */
  readonly ms: number;
  readonly bound: Bound;
  /**
   * What produced the figure: "roofline" (analytic), "measured" (a measured kernel of this exact
   * shape), "interpolated" / "extrapolated" (a measured table, inside / outside its data),
   * "calibrated" (a fitted curve inside its training data), "transferred" (either, inside the data
   * of another accelerator with the same tensor silicon), or a preset's name ("shallowsim").
   */
  readonly source: string;
  /** Whether the op lies inside the measured data's envelope; null when no data covers its kernel family. */
  readonly inEnvelope: boolean | null;
}

/**
 * op x hardware -> time. The roofline predictor is the default; calibrated and table predictors
 * implement the same interface.
 */
export interface Predictor {
  readonly name: string;
  predict(op: Op, hardware: HardwareSpec): OpTiming;
}
