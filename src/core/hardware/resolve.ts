import { PEAK_CLASSES, type PeakClass } from "../dtype.ts";
import { gbpsToBytesPerSec, gbToBytes, tflopsToFlops } from "../units.ts";
import type { AcceleratorRecord, ClusterRecord, HardwareSpec } from "./types.ts";

/** Converts a record's human units to the engine's SI units. */
export function hardwareSpecOf(record: AcceleratorRecord): HardwareSpec {
  const peakFlopsPerSec: Partial<Record<PeakClass, number>> = {};
  for (const peak of PEAK_CLASSES) {
    const tflops = record.denseTflops?.[peak];
    if (tflops !== undefined && tflops > 0) peakFlopsPerSec[peak] = tflopsToFlops(tflops);
  }
  const map = <T, R>(value: T | undefined, f: (v: T) => R): R | undefined =>
    value === undefined ? undefined : f(value);
  return {
    name: record.name,
    peakFlopsPerSec,
    hbmBytes: map(record.hbmGB, gbToBytes),
    hbmBandwidthBytesPerSec: map(record.hbmBandwidthGBps, gbpsToBytesPerSec),
    scaleUp: {
      bandwidthBytesPerSec: map(record.scaleUp?.bandwidthGBps, gbpsToBytesPerSec),
      domainGpus: record.scaleUp?.domainGpus ?? 1,
    },
    scaleOut: {
      bandwidthBytesPerSec: map(record.scaleOut?.bandwidthGBps, gbpsToBytesPerSec),
    },
    priceUsdPerGpuHour: record.priceUsdPerGpuHour,
  };
}

/** Applies a cluster's topology and price overrides to its accelerator's record. */
export function applyCluster(accelerator: AcceleratorRecord, cluster: ClusterRecord): AcceleratorRecord {
  const { priceUsdPerGpuHour, notes } = cluster;
  return {
    ...accelerator,
    name: cluster.name,
    aliases: [],
    scaleUp: { ...accelerator.scaleUp, ...cluster.scaleUp },
    scaleOut: { ...accelerator.scaleOut, ...cluster.scaleOut },
    ...(priceUsdPerGpuHour === undefined ? {} : { priceUsdPerGpuHour }),
    ...(notes === undefined ? {} : { notes }),
  };
}
