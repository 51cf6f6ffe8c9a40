/** Unit conversions used at the edges of the core. Inside the core: seconds, bytes, FLOP/s, bytes/s. */

/** 1 GB (SI decimal) in bytes. */
export const BYTES_PER_GB = 1e9;
/** 1 GiB (binary) in bytes. */
export const BYTES_PER_GIB = 2 ** 30;
/** 1 TFLOP/s in FLOP/s. */
export const FLOPS_PER_TFLOPS = 1e12;

/** Seconds to milliseconds. */
export const secToMs = (sec: number): number => sec * 1e3;
/** Milliseconds to seconds. */
export const msToSec = (ms: number): number => ms / 1e3;
/** Microseconds to seconds. */
export const usToSec = (us: number): number => us / 1e6;
/** Bytes to SI gigabytes. */
export const bytesToGB = (bytes: number): number => bytes / BYTES_PER_GB;
/** SI gigabytes to bytes. */
export const gbToBytes = (gb: number): number => gb * BYTES_PER_GB;
/** Bytes to GiB. */
export const bytesToGiB = (bytes: number): number => bytes / BYTES_PER_GIB;
/** TFLOP/s to FLOP/s. */
export const tflopsToFlops = (tflops: number): number => tflops * FLOPS_PER_TFLOPS;
/** GB/s (SI) to bytes/s. */
export const gbpsToBytesPerSec = (gbps: number): number => gbps * BYTES_PER_GB;
