import { PEAK_CLASSES } from "../dtype.ts";
import type { HardwareSpec } from "./types.ts";

/** Datasheet figures of one part differ by rounding between sources (989.4 vs 990 TFLOPS). */
const SAME_FIGURE_TOLERANCE = 0.01;

const close = (x: number | undefined, y: number | undefined) =>
  x !== undefined && y !== undefined && Math.abs(x - y) <= SAME_FIGURE_TOLERANCE * Math.max(x, y);

/**
 * Whether two accelerators have the same links: scale-up domains of the same size and scale-up
 * and scale-out bandwidths within 1% (H100 SXM and H200; not the H800, whose NVLink is 400 of
 * the H100's 900 GB/s). Measured collectives of one then hold on the other.
 */
export function sameInterconnect(a: HardwareSpec, b: HardwareSpec): boolean {
  return (
    a.scaleUp.domainGpus === b.scaleUp.domainGpus &&
    close(a.scaleUp.bandwidthBytesPerSec, b.scaleUp.bandwidthBytesPerSec) &&
    close(a.scaleOut.bandwidthBytesPerSec, b.scaleOut.bandwidthBytesPerSec)
  );
}

/**
 * Whether two accelerators have the same tensor cores at the same clocks: their dense peaks agree
 * within 1% in every format both list, BF16 at least (e.g. H100 SXM, H800 and H200; A100 40 GB and
 * 80 GB; not H20 or B300 against their namesakes). Kernel efficiencies measured on one then hold on
 * the other, against its own peaks and bandwidth.
 */
export function sameTensorSilicon(a: HardwareSpec, b: HardwareSpec): boolean {
  if (a.peakFlopsPerSec.bf16 === undefined || b.peakFlopsPerSec.bf16 === undefined) return false;
  for (const cls of PEAK_CLASSES) {
    const x = a.peakFlopsPerSec[cls];
    const y = b.peakFlopsPerSec[cls];
    if (x === undefined || y === undefined) continue;
    if (!close(x, y)) return false;
  }
  return true;
}

/**
 * Of the measured accelerators, the one with the target's tensor silicon whose HBM bandwidth is
 * closest to the target's (first in the given order on ties), or undefined.
 */
export function measuredSibling(target: HardwareSpec, measured: readonly HardwareSpec[]): string | undefined {
  let best: HardwareSpec | undefined;
  let bestGap = Number.POSITIVE_INFINITY;
  for (const candidate of measured) {
    if (candidate.name === target.name || !sameTensorSilicon(target, candidate)) continue;
    const gap = Math.abs((candidate.hbmBandwidthBytesPerSec ?? 0) - (target.hbmBandwidthBytesPerSec ?? 0));
    if (gap < bestGap) {
      best = candidate;
      bestGap = gap;
    }
  }
  return best?.name;
}
