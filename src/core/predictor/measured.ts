import type { HardwareSpec } from "../hardware/types.ts";
import type { Op } from "../ops/types.ts";
import { curveMs } from "./curve.ts";
import { FamilyIndex, type IdealTimes, type KernelFamily, writeIdealTimes } from "./family.ts";
import { familyVariant, isNarrowingVariant, writeFeatures } from "./features.ts";
import { gridValue, insideGrid, onMeasuredNode } from "./grid.ts";
import { rooflinePredictor } from "./roofline.ts";
import type { OpTiming, Predictor } from "./types.ts";

/**
 * How a family-based predictor treats an op:
 * - "table": measured timings interpolated on the grid (base = the default roofline), labelled
 *   measured / interpolated, and extrapolated outside the data by the roofline's trend;
 * - "calibrated": the fitted efficiency curve and its correction grid inside the training
 *   envelope; outside it, labelled extrapolated, the fitted curve (an analytic roofline with
 *   measured efficiencies) with the correction of the nearest data (features clamped to the grid).
 */
export type FamilyMode = "table" | "calibrated";

/**
 * The accelerator whose kernel families serve an accelerator: its own (under its catalog name, e.g.
 * "A100-80GB" -> "A100-SXM4-80GB"), or, with `transferred`, a measured one with the same tensor
 * silicon (see sameTensorSilicon) when it has none.
 */
export interface FamilyHardware {
  readonly name: string;
  readonly transferred: boolean;
  /**
   * For a transferred one: whether its links are the measured accelerator's too (same scale-up
   * domain and bandwidths, see sameInterconnect); its collectives borrow only then.
   */
  readonly sameInterconnect?: boolean;
}

/**
 * A predictor over kernel families built from measurements (collectives included). Ops of families
 * it has no data for get the fallback predictor's time, labelled as such; ops priced by another
 * accelerator's families (FamilyHardware.transferred) are labelled "transferred"; a weight-only
 * GEMM priced by its compute format's family (its own format unmeasured) "extrapolated".
 */
export function familyPredictor(
  name: string,
  mode: FamilyMode,
  families: readonly KernelFamily[],
  fallback: Predictor = rooflinePredictor(),
  familyHardwareOf: (hardwareName: string) => FamilyHardware = (name) => ({ name, transferred: false }),
): Predictor {
  const index = new FamilyIndex(families);
  // Hardware names resolved once each.
  const resolved = new Map<string, FamilyHardware>();
  let lastName: string | undefined;
  let lastTarget: FamilyHardware | undefined;
  const resolve = (name: string) => {
    // A step asks for one accelerator op after op.
    if (name === lastName) return lastTarget as FamilyHardware;
    let target = resolved.get(name);
    if (target === undefined) {
      target = familyHardwareOf(name);
      resolved.set(name, target);
    }
    lastName = name;
    lastTarget = target;
    return target;
  };
  const features = new Float64Array(5);
  const ideal: IdealTimes = { computeMs: 0, memoryMs: 0 };
  return {
    name,
    predict(op: Op, hardware: HardwareSpec): OpTiming {
      const target = resolve(hardware.name);
      const borrowsLinks = !target.transferred || target.sameInterconnect === true;
      const variant = familyVariant(op);
      let family = op.comm === null || borrowsLinks ? index.find(op, target.name, variant) : undefined;
      // A weight-only or block-scaled GEMM with no measurements of its own format borrows its
      // compute format's family: outside the data, and said so.
      let otherFormat = false;
      if (!family && isNarrowingVariant(variant)) {
        family = index.find(op, target.name, "");
        otherFormat = family !== undefined;
      }
      if (!family) return fallback.predict(op, hardware);
      writeFeatures(op, family.space, features);
      const inside = !otherFormat && insideGrid(family.grid, features);
      writeIdealTimes(op, hardware, ideal);
      const { curve } = family;
      const ms = curveMs(curve, ideal.computeMs, ideal.memoryMs) * Math.exp(gridValue(family.grid, features));
      const computeMs = ideal.computeMs / curve.computeEfficiency;
      const memoryMs = ideal.memoryMs / curve.memoryEfficiency;
      const source = !inside
        ? "extrapolated"
        : target.transferred
          ? "transferred"
          : mode === "calibrated"
            ? "calibrated"
            : onMeasuredNode(family.grid, features)
              ? "measured"
              : "interpolated";
      if (op.comm !== null)
        return { computeMs: 0, memoryMs: 0, commMs: ms, ms, bound: "comm", source, inEnvelope: inside };
      return {
        computeMs,
        memoryMs,
        commMs: 0,
        ms,
        bound: computeMs >= memoryMs ? "compute" : "memory",
        source,
        inEnvelope: inside,
      };
    },
  };
}
