import { z } from "zod";
import { ALL_REDUCE_IMPLEMENTATIONS } from "../../core/collectives/custom-all-reduce.ts";
import { DTYPES } from "../../core/dtype.ts";
import { OVERLAP_POLICIES } from "../../core/step/overlap.ts";

const count = z.int().min(1);
const efficiency = z.number().gt(0).max(1);

/** Rows x columns of weights per scale of block-scaled FP8 (Hugging Face's weight_block_size). */
export const weightBlockSizeSchema = z.tuple([count, count]);

/** Roofline efficiency overrides (see DEFAULT_ROOFLINE_PARAMS). */
export const efficiencySchema = z.strictObject({
  gemmComputeEfficiency: efficiency.optional(),
  attentionComputeEfficiency: efficiency.optional(),
  hbmEfficiency: efficiency.optional(),
  attentionHbmEfficiency: efficiency.optional(),
  scaleUpEfficiency: efficiency.optional(),
  scaleOutEfficiency: efficiency.optional(),
  opOverheadUs: z.number().nonnegative().optional(),
  customAllReduceLatencyUs: z.number().nonnegative().optional(),
  deepEpNormalLatencyUs: z.number().nonnegative().optional(),
});

/**
 * A step scenario: the same fields as `llmsim step` flags (camelCase). Paths are relative to the
 * scenario file.
 */
export const stepScenarioSchema = z.strictObject({
  schemaVersion: z.literal(1).optional(),
  model: z.string().min(1).describe("Hugging Face id of a built-in model, or a path to a config.json"),
  hardware: z.string().min(1).describe("Accelerator or cluster name from the catalog or hardwareFile"),
  hardwareFile: z.string().min(1).optional().describe("YAML/JSON file with extra accelerators and clusters"),
  gpus: count.optional(),
  tp: count.optional(),
  pp: count.optional(),
  dp: count.optional(),
  ep: count.optional(),
  redundantExperts: z.int().min(0).optional(),
  expertImbalance: z.number().min(1).optional(),
  phase: z.enum(["prefill", "decode", "mixed"]).optional(),
  batch: count.optional().describe("Sequences per attention-DP group (decode sequences in a mixed step)"),
  seq: count
    .optional()
    .describe("Prompt tokens per sequence (prefill); the context for decode when context is unset"),
  context: count.optional().describe("KV length each decode token attends to"),
  cached: z.int().min(0).optional().describe("Prefix-cache hits per prompt, tokens"),
  prefillBatch: count.optional().describe("Prompts in a mixed step"),
  weightDtype: z.enum(DTYPES).optional(),
  kvDtype: z.enum(DTYPES).optional(),
  activationDtype: z.enum(DTYPES).optional(),
  weightBlockSize: z
    .union([weightBlockSizeSchema, z.literal("none")])
    .optional()
    .describe(
      "rows x columns of FP8 weights per scale (DeepSeek-V3: [128, 128]); none: per-tensor scales (default: the checkpoint's weight_block_size)",
    ),
  overlap: z.enum(OVERLAP_POLICIES).optional(),
  mla: z.enum(["auto", "absorbed", "naive"]).optional(),
  a2a: z
    .enum(["auto", "normal", "low-latency"])
    .optional()
    .describe(
      "MoE all-to-all kernels: normal (one copy per node, prefill) or low-latency (one per expert, decode)",
    ),
  allReduce: z
    .enum(ALL_REDUCE_IMPLEMENTATIONS)
    .optional()
    .describe(
      "TP all-reduce kernels: nccl (default) or custom (the serving framework's one-shot kernel inside one NVLink domain, NCCL beyond it or where NCCL is faster)",
    ),
  memoryUtilization: z.number().gt(0).max(1).optional(),
  ignoreMemory: z.boolean().optional(),
  efficiency: efficiencySchema.optional(),
  scaleUpGBps: z
    .number()
    .positive()
    .optional()
    .describe("Override the accelerator's scale-up bandwidth per GPU, GB/s"),
  scaleOutGBps: z.number().positive().optional().describe("Override the NIC bandwidth per GPU, GB/s"),
  hbmGBps: z.number().positive().optional().describe("Override the HBM bandwidth, GB/s"),
  domainGpus: z.int().min(1).optional().describe("Override the scale-up domain size, GPUs"),
});

export type StepScenario = z.infer<typeof stepScenarioSchema>;
