import type { HardwareSpec } from "../hardware/types.ts";
import type { Op } from "../ops/types.ts";
import { curveMs } from "./curve.ts";
import { FamilyIndex, type IdealTimes, type KernelFamily, writeIdealTimes } from "./family.ts";
import { writeFeatures } from "./features.ts";
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
 * A predictor over kernel families built from measurements. Ops of families it has no data for
 * (and collectives) get the fallback predictor's time, labelled as such.
 */
export function familyPredictor(
  name: string,
  mode: FamilyMode,
  families: readonly KernelFamily[],
  fallback: Predictor = rooflinePredictor(),
  canonicalName: (hardwareName: string) => string = (name) => name,
): Predictor {
  const index = new FamilyIndex(families);
  // Hardware names resolved once each (an alias such as "A100-80GB" finds "A100-SXM4-80GB").
  const canonical = new Map<string, string>();
  const resolve = (name: string) => {
    let resolved = canonical.get(name);
    if (resolved === undefined) {
      resolved = canonicalName(name);
      canonical.set(name, resolved);
    }
    return resolved;
  };
  const features = new Float64Array(5);
  const ideal: IdealTimes = { computeMs: 0, memoryMs: 0 };
  return {
    name,
    predict(op: Op, hardware: HardwareSpec): OpTiming {
      const family = op.comm === null ? index.find(op, resolve(hardware.name)) : undefined;
      if (!family) return fallback.predict(op, hardware);
      writeFeatures(op, family.space, features);
      const inside = insideGrid(family.grid, features);
      writeIdealTimes(op, hardware, ideal);
      const { curve } = family;
      const ms = curveMs(curve, ideal.computeMs, ideal.memoryMs) * Math.exp(gridValue(family.grid, features));
      const computeMs = ideal.computeMs / curve.computeEfficiency;
      const memoryMs = ideal.memoryMs / curve.memoryEfficiency;
      const source = !inside
        ? "extrapolated"
        : mode === "calibrated"
          ? "calibrated"
          : onMeasuredNode(family.grid, features)
            ? "measured"
            : "interpolated";
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
