import type { PeakClass } from "../dtype.ts";

/**
 * An accelerator as written in catalog and user files: human units (TFLOPS, GB, GB/s, µs), every
 * figure optional so that unsourced figures stay empty rather than guessed.
 */
export interface AcceleratorRecord {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly vendor?: string;
  /** Dense (no 2:4 sparsity) tensor peak per format, TFLOPS. */
  readonly denseTflops?: Readonly<Partial<Record<PeakClass, number>>>;
  readonly hbmGB?: number;
  readonly hbmBandwidthGBps?: number;
  readonly scaleUp?: {
    readonly name?: string;
    /** Per GPU, one direction, GB/s. */
    readonly bandwidthGBps?: number;
    /** GPUs in one scale-up (NVLink/xGMI/ICI) domain. */
    readonly domainGpus?: number;
    /** Measured small-message latency, µs (reference only: collectives use NCCL's cost constants). */
    readonly latencyUs?: number;
  };
  readonly scaleOut?: {
    readonly name?: string;
    /** NIC bandwidth per GPU, one direction, GB/s. */
    readonly bandwidthGBps?: number;
    /** Measured small-message latency, µs (reference only). */
    readonly latencyUs?: number;
  };
  readonly tdpW?: number;
  readonly priceUsdPerGpuHour?: number;
  /** Source per figure: key is the field path ("denseTflops.bf16", "hbmGB"), value a URL or citation. */
  readonly sources?: Readonly<Record<string, string>>;
  readonly notes?: string;
}

/** A named cluster: an accelerator plus topology and price overrides. */
export interface ClusterRecord {
  readonly name: string;
  readonly accelerator: string;
  readonly scaleUp?: AcceleratorRecord["scaleUp"];
  readonly scaleOut?: AcceleratorRecord["scaleOut"];
  readonly priceUsdPerGpuHour?: number;
  readonly notes?: string;
}

/** An accelerator in SI units, as the engine uses it. Missing figures are undefined. */
export interface HardwareSpec {
  readonly name: string;
  readonly peakFlopsPerSec: Readonly<Partial<Record<PeakClass, number>>>;
  readonly hbmBytes: number | undefined;
  readonly hbmBandwidthBytesPerSec: number | undefined;
  readonly scaleUp: {
    readonly bandwidthBytesPerSec: number | undefined;
    readonly domainGpus: number;
  };
  readonly scaleOut: {
    readonly bandwidthBytesPerSec: number | undefined;
  };
  readonly priceUsdPerGpuHour: number | undefined;
}
