import { z } from "zod";
import { ALL_REDUCE_IMPLEMENTATIONS } from "../../core/collectives/custom-all-reduce.ts";
import { DTYPES } from "../../core/dtype.ts";
import { parseLengthDistribution } from "../../core/sim/requests.ts";
import { OVERLAP_POLICIES } from "../../core/step/overlap.ts";

const count = z.int().min(1);
const counts = z.array(count).min(1);
const names = z.array(z.string().min(1)).min(1);
const length = (which: "prompt" | "output") =>
  z
    .union([count, z.string()])
    .refine((value) => typeof value === "number" || parseLengthDistribution(value, which) !== null, {
      message: "expected a token count (e.g. 4096), lmsys, or lognormal:MEDIAN:SIGMA[:MIN:MAX]",
    });

/**
 * A planning question: model, hardware, GPU budget, workload and targets, plus the axes to sweep
 * (each optional, with defaults from `defaultPlanAxes`). The same fields as `llmsim plan` flags,
 * camelCase; paths are relative to the file.
 */
export const planScenarioSchema = z.strictObject({
  schemaVersion: z.literal(1).optional(),
  model: z.string().min(1).describe("Hugging Face id of a built-in model, or a path to a config.json"),
  hardware: names.describe("Accelerators or clusters the deployment may use (a mixed fleet when several)"),
  hardwareFile: z
    .array(z.string().min(1))
    .optional()
    .describe("YAML/JSON files with extra accelerators and clusters"),
  aggregatedHardware: names.optional().describe("Hardware an aggregated replica may use (default: all)"),
  prefillHardware: names.optional().describe("Hardware a prefill replica may use (default: all)"),
  decodeHardware: names.optional().describe("Hardware a decode replica may use (default: all)"),
  gpus: z
    .union([count, z.record(z.string(), count)])
    .describe("GPU budget: a total, or the most of each hardware (the total is their sum)"),
  isl: length("prompt").optional().describe("Prompt lengths (default lmsys)"),
  osl: length("output").optional().describe("Output lengths (default lmsys)"),
  traceFile: z.string().min(1).optional().describe("Request lengths (and arrivals) from a trace file"),
  rate: z
    .number()
    .positive()
    .optional()
    .describe(
      "Requests per second to sustain (default: a trace's own rate, else as many as the budget gives)",
    ),
  ttftMs: z.number().positive().optional().describe("Time-to-first-token target, ms"),
  tpotMs: z.number().positive().optional().describe("Time-per-output-token target, ms"),
  percentile: z
    .union([z.literal(50), z.literal(90), z.literal(99)])
    .optional()
    .describe("Percentile the serving re-check compares with the targets (default 90)"),
  prices: z
    .record(z.string(), z.number().nonnegative())
    .optional()
    .describe("$ per GPU-hour by hardware name (overrides the catalog)"),
  priceFile: z
    .string()
    .min(1)
    .optional()
    .describe("CSV (hardware,usd_per_gpu_hour) or YAML/JSON map of $ per GPU-hour"),
  objective: z
    .enum(["cost", "throughput"])
    .optional()
    .describe("What the recommendation optimises (default cost when every hardware has a price)"),
  modes: z
    .array(z.enum(["aggregated", "disaggregated"]))
    .min(1)
    .optional(),
  tp: counts.optional(),
  pp: counts.optional(),
  dp: counts.optional().describe("Attention data-parallel groups per stage (MoE models)"),
  experts: z
    .array(z.enum(["tp", "ep"]))
    .min(1)
    .optional()
    .describe("MoE expert layouts: TP-sharded or expert-parallel over the stage"),
  overlap: z.array(z.enum(OVERLAP_POLICIES)).min(1).optional(),
  batch: counts.optional().describe("Decode sequences per attention-DP group"),
  kvDtype: z.array(z.enum(DTYPES)).min(1).optional(),
  prefillReplicas: counts.optional(),
  decodeReplicas: counts.optional(),
  weightDtype: z.enum(DTYPES).optional(),
  activationDtype: z.enum(DTYPES).optional(),
  memoryUtilization: z.number().gt(0).max(1).optional(),
  allReduce: z
    .enum(ALL_REDUCE_IMPLEMENTATIONS)
    .optional()
    .describe(
      "TP all-reduce kernels: nccl (default) or custom (the framework's one-shot kernel inside one NVLink domain)",
    ),
  maxBatchedTokens: count
    .optional()
    .describe("Prompt tokens an attention-DP group prefills per iteration (default 8192)"),
  hostOverheadMs: z
    .number()
    .nonnegative()
    .optional()
    .describe("Host (CPU) time added to every iteration's pipeline stage, ms (default 0)"),
  kvLinkGBps: z
    .number()
    .positive()
    .optional()
    .describe("KV hand-off bandwidth per GPU, GB/s (default: the catalog NICs)"),
  kvLinkLatencyUs: z.number().nonnegative().optional(),
  recheck: z
    .int()
    .min(0)
    .optional()
    .describe("Best configurations re-checked with the serving simulator (default 5)"),
  recheckRequests: count.optional(),
  recheckLoad: z
    .number()
    .gt(0)
    .max(1)
    .optional()
    .describe("Load of the re-check as a fraction of capacity when no rate is given (default 0.8)"),
  seed: z.int().min(0).optional(),
  predictor: z
    .string()
    .regex(/^(roofline|calibrated:.+|table:.+)$/, "roofline, calibrated:<predictor.json> or table:<files>")
    .optional()
    .describe(
      "Kernel times: roofline (default), calibrated:<predictor.json> (llmsim calibrate) or table:<measurement files, comma-separated>; paths relative to this file",
    ),
});

export type PlanScenario = z.infer<typeof planScenarioSchema>;
