import { idealCollectiveSec } from "../collectives/alpha-beta.ts";
import { PEAK_CLASSES, type PeakClass, peakClassOf } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import type { Op } from "../ops/types.ts";
import type { EfficiencyCurve } from "./curve.ts";
import { type FeatureSpace, featureSpaceOf, hasFeatures } from "./features.ts";
import type { CorrectionGrid } from "./grid.ts";

/**
 * One kernel family on one accelerator: the kernels of one op name (e.g. "mlp_down") or, pooled,
 * of one op kind (e.g. every "gemm"), in one tensor-core class. Its time is the efficiency curve
 * times exp(the correction grid at the op's features).
 */
export interface KernelFamily {
  readonly hardware: string;
  readonly key: string;
  readonly level: "op" | "kind";
  readonly peakClass: PeakClass;
  /** Further split of the op name (see familyVariant), "" for none. */
  readonly variant: string;
  readonly space: FeatureSpace;
  readonly curve: EfficiencyCurve;
  readonly grid: CorrectionGrid;
  /** Measurements the family was built from. */
  readonly points: number;
}

/** Ideal (100% of peak) compute and memory times of an op, ms. */
export interface IdealTimes {
  computeMs: number;
  memoryMs: number;
}

/**
 * Writes the op's ideal times on the hardware into `out` (the datasheet roofs, no efficiency). A
 * collective's transfer at the links' datasheet bandwidths, with no latency, takes the memory slot.
 */
export function writeIdealTimes(op: Op, hardware: HardwareSpec, out: IdealTimes): void {
  const comm = op.comm;
  if (comm !== null) {
    out.computeMs = 0;
    out.memoryMs =
      idealCollectiveSec(
        comm.collective,
        comm.bytes,
        comm.span,
        hardware.scaleUp.bandwidthBytesPerSec ?? Number.NaN,
        hardware.scaleOut.bandwidthBytesPerSec ?? Number.NaN,
        comm.split,
      ) * 1e3;
    return;
  }
  const peak =
    hardware.peakFlopsPerSec[peakClassOf(op.computeDtype)] ?? hardware.peakFlopsPerSec.bf16 ?? Number.NaN;
  out.computeMs = op.flops > 0 ? (op.flops / peak) * 1e3 : 0;
  const bytes = op.bytesRead + op.bytesWritten;
  out.memoryMs = bytes > 0 ? (bytes / (hardware.hbmBandwidthBytesPerSec ?? Number.NaN)) * 1e3 : 0;
}

const CLASS_INDEX = new Map<PeakClass, number>(PEAK_CLASSES.map((c, i) => [c, i]));

export function peakClassIndex(peakClass: PeakClass): number {
  return CLASS_INDEX.get(peakClass) as number;
}

/**
 * Families by hardware name, then op name or kind, then variant, then tensor-core class (one per
 * feature space: an llmsim CSV's shapeless MLA rows and a table's shaped ones can share the rest):
 * lookups allocate nothing.
 */
export class FamilyIndex {
  private readonly byHardware = new Map<string, Map<string, Map<string, KernelFamily[][]>>>();

  constructor(families: readonly KernelFamily[]) {
    for (const family of families) {
      let byKey = this.byHardware.get(family.hardware);
      if (!byKey) {
        byKey = new Map();
        this.byHardware.set(family.hardware, byKey);
      }
      let byVariant = byKey.get(family.key);
      if (!byVariant) {
        byVariant = new Map();
        byKey.set(family.key, byVariant);
      }
      let byClass = byVariant.get(family.variant);
      if (!byClass) {
        byClass = PEAK_CLASSES.map(() => []);
        byVariant.set(family.variant, byClass);
      }
      (byClass[peakClassIndex(family.peakClass)] as KernelFamily[]).push(family);
    }
  }

  /**
   * The family of the op's name, else of its kind's pool, with this variant (see familyVariant) and
   * the op's tensor-core class, else undefined. Of families that differ only in feature space, the
   * op's own space wins, else one whose features the op has.
   */
  find(op: Op, hardwareName: string, variant: string): KernelFamily | undefined {
    const byKey = this.byHardware.get(hardwareName);
    if (!byKey) return undefined;
    const cls = peakClassIndex(peakClassOf(op.computeDtype));
    return (
      usableFamily(op, byKey.get(op.name)?.get(variant)?.[cls]) ??
      usableFamily(op, byKey.get(op.kind)?.get(variant)?.[cls])
    );
  }
}

function usableFamily(op: Op, families: readonly KernelFamily[] | undefined): KernelFamily | undefined {
  if (families === undefined || families.length === 0) return undefined;
  if (families.length === 1) {
    const only = families[0] as KernelFamily;
    return hasFeatures(op, only.space) ? only : undefined;
  }
  const own = featureSpaceOf(op);
  let usable: KernelFamily | undefined;
  for (const family of families) {
    if (family.space === own) return family;
    if (usable === undefined && hasFeatures(op, family.space)) usable = family;
  }
  return usable;
}
