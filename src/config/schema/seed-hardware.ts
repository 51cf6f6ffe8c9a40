import { z } from "zod";

/**
 * LLMSimulator's hardware file (seed `configs/hardware/*.yaml`): snake_case, human units. How each
 * field maps onto the engine is stated in its description and in docs/scenarios.md.
 */
export const seedHardwareSchema = z.strictObject({
  name: z.string().min(1).describe("Accelerator name, e.g. A100-80GB"),
  peak_tflops: z
    .number()
    .positive()
    .describe("Dense BF16/FP16 tensor peak, TFLOPS (A100: 312); the engine's denseTflops.bf16"),
  memory_bandwidth_gbps: z
    .number()
    .positive()
    .describe(
      "HBM bandwidth in GB/s (gigabytes: A100-80GB's datasheet figure is 2,039 GB/s); the engine's hbmBandwidthGBps",
    ),
  hbm_gb: z.number().positive().describe("HBM capacity, GB; the engine's hbmGB"),
  interconnect_gbps: z
    .number()
    .positive()
    .describe(
      "Scale-up (NVLink) bandwidth per GPU, GB/s, BOTH directions added as NVIDIA quotes it (A100 NVLink3: 600 = 300 each way); the engine uses half of it per direction",
    ),
  max_concurrency: z
    .int()
    .min(1)
    .describe(
      "Streams that can run at once: 1 runs communication after computation (overlap none); 2 or more lets a comm layer overlap the layer before it",
    ),
  overlap_efficiency: z
    .number()
    .min(0)
    .max(1)
    .describe(
      "Fraction of the overlappable time actually hidden when max_concurrency >= 2: layer time = (1 - e) x serial + e x fully overlapped",
    ),
  scale_up_domain_gpus: z
    .int()
    .min(1)
    .optional()
    .describe(
      "Extension: GPUs sharing the interconnect (NVLink domain). Default: the built-in catalog's figure when name is a catalog accelerator (A100-80GB: 8, HGX/DGX baseboard), else 1",
    ),
  scale_out_gbps: z
    .number()
    .positive()
    .optional()
    .describe("Extension: NIC bandwidth per GPU, one direction, GB/s, for collectives that leave the domain"),
});

export type SeedHardware = z.output<typeof seedHardwareSchema>;
