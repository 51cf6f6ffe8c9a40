import type { Dtype } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import type { Op, OpKind } from "../ops/types.ts";
import { curveMs } from "./curve.ts";
import { FamilyIndex, type IdealTimes, type KernelFamily, writeIdealTimes } from "./family.ts";
import { familyVariant, featureFieldsOf, isNarrowingVariant, writeFeatures } from "./features.ts";
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

/** What FamilyIndex.find was asked and answered for an op name (see familyPredictor). */
interface FamilyChoice {
  /** The accelerator asked about (its families' accelerator and whether it borrows links follow). */
  readonly hardwareName: string;
  readonly kind: OpKind;
  readonly computeDtype: Dtype;
  readonly variant: string;
  /** featureFieldsOf(op): which shape fields the op has. */
  readonly fields: number;
  readonly family: KernelFamily | undefined;
  /** Priced by its compute format's family, its own format unmeasured. */
  readonly otherFormat: boolean;
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
  // The family each op name got and everything that decided it: a step repeats its op names, so
  // the look-ups (hardware, name or kind, variant, class, feature space) run once per name.
  const choices = new Map<string, FamilyChoice>();
  const features = new Float64Array(5);
  const ideal: IdealTimes = { computeMs: 0, memoryMs: 0 };
  return {
    name,
    predict(op: Op, hardware: HardwareSpec): OpTiming {
      const target = resolve(hardware.name);
      const borrowsLinks = !target.transferred || target.sameInterconnect === true;
      const variant = familyVariant(op);
      const fields = featureFieldsOf(op);
      let choice = choices.get(op.name);
      if (
        choice === undefined ||
        choice.hardwareName !== hardware.name ||
        choice.kind !== op.kind ||
        choice.computeDtype !== op.computeDtype ||
        choice.variant !== variant ||
        choice.fields !== fields
      ) {
        let found = op.comm === null || borrowsLinks ? index.find(op, target.name, variant) : undefined;
        // A weight-only or block-scaled GEMM with no measurements of its own format borrows its
        // compute format's family: outside the data, and said so.
        let otherFormat = false;
        if (!found && isNarrowingVariant(variant)) {
          found = index.find(op, target.name, "");
          otherFormat = found !== undefined;
        }
        choice = {
          hardwareName: hardware.name,
          kind: op.kind,
          computeDtype: op.computeDtype,
          variant,
          fields,
          family: found,
          otherFormat,
        };
        choices.set(op.name, choice);
      }
      const { family, otherFormat } = choice;
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
