import type { KernelFamily } from "./family.ts";
import { type FamilyHardware, type FamilyMode, familyPredictor } from "./measured.ts";
import { rooflinePredictor } from "./roofline.ts";
import type { Predictor } from "./types.ts";

/**
 * A measured-data predictor as plain data (its kernel families, and which accelerator's families
 * serve each accelerator it is asked about), so that it can be posted to worker threads and rebuilt there:
 * the same families give the same times in every thread.
 */
export interface PortablePredictor {
  /** e.g. "calibrated:predictor.json". */
  readonly name: string;
  readonly mode: FamilyMode;
  readonly families: readonly KernelFamily[];
  /** Accelerator name -> the accelerator whose families serve it. */
  readonly familyHardware: Readonly<Record<string, FamilyHardware>>;
}

/** The predictor a portable one describes; ops without data get the roofline's times. */
export function predictorOf(
  portable: PortablePredictor,
  fallback: Predictor = rooflinePredictor(),
): Predictor {
  return familyPredictor(
    portable.name,
    portable.mode,
    portable.families,
    fallback,
    (name) => portable.familyHardware[name] ?? { name, transferred: false },
  );
}
