/** Unit conversions used at the edges of the core. Inside the core: seconds, bytes, FLOP/s, bytes/s. */

/** 1 GB (SI decimal) in bytes. */
export const BYTES_PER_GB = 1e9;
/** 1 TFLOP/s in FLOP/s. */
export const FLOPS_PER_TFLOPS = 1e12;

/** Seconds to milliseconds. */
export const secToMs = (sec: number): number => sec * 1e3;
/** SI gigabytes to bytes. */
export const gbToBytes = (gb: number): number => gb * BYTES_PER_GB;
/** TFLOP/s to FLOP/s. */
export const tflopsToFlops = (tflops: number): number => tflops * FLOPS_PER_TFLOPS;
/** GB/s (SI) to bytes/s. */
export const gbpsToBytesPerSec = (gbps: number): number => gbps * BYTES_PER_GB;
