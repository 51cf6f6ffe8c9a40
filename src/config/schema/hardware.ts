import { z } from "zod";
import type { AcceleratorRecord, ClusterRecord } from "../../core/hardware/types.ts";

const positive = z.number().positive();
const sources = z.record(z.string(), z.string());

const tflops = z.strictObject({
  fp32: positive.optional(),
  bf16: positive.optional(),
  fp8: positive.optional(),
  int8: positive.optional(),
  fp4: positive.optional(),
});

const scaleUp = z.strictObject({
  name: z.string().optional(),
  bandwidthGBps: positive.optional().describe("Per GPU, one direction, GB/s"),
  domainGpus: z.int().min(1).optional().describe("GPUs in one scale-up (NVLink) domain"),
  latencyUs: z.number().nonnegative().optional(),
});

const scaleOut = z.strictObject({
  name: z.string().optional(),
  bandwidthGBps: positive.optional().describe("NIC bandwidth per GPU, one direction, GB/s"),
  latencyUs: z.number().nonnegative().optional(),
});

/** One accelerator, in the units users read on datasheets. */
export const acceleratorSchema = z.strictObject({
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).optional(),
  vendor: z.string().optional(),
  denseTflops: tflops.optional().describe("Dense (no 2:4 sparsity) tensor peak per format, TFLOPS"),
  hbmGB: positive.optional(),
  hbmBandwidthGBps: positive.optional(),
  scaleUp: scaleUp.optional(),
  scaleOut: scaleOut.optional(),
  tdpW: positive.optional(),
  priceUsdPerGpuHour: z.number().nonnegative().optional(),
  sources: sources.optional().describe("Source per figure, keyed by field path, e.g. 'denseTflops.bf16'"),
  notes: z.string().optional(),
});

/** A cluster: a catalog accelerator with its own topology and price. */
export const clusterSchema = z.strictObject({
  name: z.string().min(1),
  accelerator: z.string().min(1),
  scaleUp: scaleUp.optional(),
  scaleOut: scaleOut.optional(),
  priceUsdPerGpuHour: z.number().nonnegative().optional(),
  notes: z.string().optional(),
});

/** A hardware file: lists of accelerators and clusters (a single accelerator object is also accepted). */
export const hardwareFileSchema = z.strictObject({
  schemaVersion: z.literal(1).optional(),
  accelerators: z.array(acceleratorSchema).optional(),
  clusters: z.array(clusterSchema).optional(),
});

export interface HardwareFile {
  readonly accelerators: readonly AcceleratorRecord[];
  readonly clusters: readonly ClusterRecord[];
}
