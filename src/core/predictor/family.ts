import { idealCollectiveSec } from "../collectives/alpha-beta.ts";
import { PEAK_CLASSES, type PeakClass, peakClassOf } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import type { Op } from "../ops/types.ts";
import type { EfficiencyCurve } from "./curve.ts";
import { type FeatureSpace, familyVariant, isWeightOnlyVariant } from "./features.ts";
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

/** Families by hardware name, then op name or kind, then variant, then tensor-core class: lookups allocate nothing. */
export class FamilyIndex {
  private readonly byHardware = new Map<string, Map<string, Map<string, (KernelFamily | undefined)[]>>>();

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
        byClass = new Array(PEAK_CLASSES.length).fill(undefined);
        byVariant.set(family.variant, byClass);
      }
      byClass[peakClassIndex(family.peakClass)] = family;
    }
  }

  /**
   * The op's own family, else its kind's pooled family, else undefined. A weight-only quantized
   * GEMM with no family of its own uses its compute format's.
   */
  find(op: Op, hardwareName: string): KernelFamily | undefined {
    const byKey = this.byHardware.get(hardwareName);
    if (!byKey) return undefined;
    const cls = peakClassIndex(peakClassOf(op.computeDtype));
    const variant = familyVariant(op);
    const own = byKey.get(op.name)?.get(variant)?.[cls] ?? byKey.get(op.kind)?.get(variant)?.[cls];
    if (own !== undefined || !isWeightOnlyVariant(variant)) return own;
    return byKey.get(op.name)?.get("")?.[cls] ?? byKey.get(op.kind)?.get("")?.[cls];
  }
}
