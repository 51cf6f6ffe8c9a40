import { z } from "zod";
import { DTYPES } from "../../core/dtype.ts";
import { SCHEDULER_KINDS } from "../../core/sim/serve/types.ts";
import { VALIDATION_LEVELS, VALIDATION_METRICS } from "../../core/validation/metrics.ts";
import { stepScenarioSchema } from "./scenario.ts";

const count = z.int().min(1);

/** One kernel on one accelerator: a GEMM of m x n x k. */
const opScenario = z.strictObject({
  hardware: z.string().min(1),
  kind: z.literal("gemm"),
  name: z
    .string()
    .min(1)
    .optional()
    .describe('engine op name, e.g. "mlp_down" (default "gemm"): selects a calibrated family'),
  m: z.number().positive(),
  n: count,
  k: count,
  dtype: z.enum(DTYPES).describe("tensor-core compute format"),
  weightDtype: z.enum(DTYPES).optional().describe("default: dtype"),
  activationDtype: z.enum(DTYPES).optional().describe("default: bf16"),
});

/** A serving run at maximum load: every request queued at time 0 (trtllm-bench's throughput mode). */
const serveScenario = z.strictObject({
  model: z.string().min(1),
  hardware: z.string().min(1),
  tp: count.optional(),
  weightDtype: z.enum(DTYPES).optional(),
  kvDtype: z.enum(DTYPES).optional(),
  memoryUtilization: z.number().gt(0).max(1).optional(),
  maxSeqs: count.optional().describe("sequences per batch (default 256)"),
  maxBatchedTokens: count.optional().describe("token budget per iteration (default 8192)"),
  requests: count,
  promptTokens: count,
  outputTokens: count,
});

/** A deployment to replay a measured run on (`llmsim validate-requests --scenario`). */
export const serveDeploymentSchema = z.strictObject({
  model: z.string().min(1).optional(),
  hardware: z.string().min(1).optional(),
  tp: count.optional(),
  replicas: count.optional(),
  scheduler: z.enum(SCHEDULER_KINDS).optional(),
  weightDtype: z.enum(DTYPES).optional(),
  kvDtype: z.enum(DTYPES).optional(),
  memoryUtilization: z.number().gt(0).max(1).optional(),
  maxSeqs: count.optional(),
  maxBatchedTokens: count.optional(),
});

const scenario = z.union([
  z.strictObject({ op: opScenario }),
  z.strictObject({
    step: stepScenarioSchema,
    read: z
      .strictObject({
        op: z
          .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
          .describe(
            "engine op whose figure is compared (e.g. moe_dispatch), or ops taken together (times and work summed, e.g. a fused MoE kernel)",
          ),
        layer: z
          .enum(["dense", "moe"])
          .optional()
          .describe("which kind of decoder layer (default: the first that has the op)"),
      })
      .optional()
      .describe("read one op of the step (kernel metrics); without it, the step's totals"),
    gpusPerNode: count
      .optional()
      .describe("GPUs per node for per-node metrics (default: the scale-up domain)"),
  }),
  z.strictObject({ serve: serveScenario }),
]);

export const validationCaseSchema = z.strictObject({
  id: z.string().min(1),
  source: z.strictObject({
    document: z.string().min(1).describe("where the measurement was published"),
    commit: z.string().min(1).optional(),
    row: z.string().optional().describe("file and line of the copied data"),
  }),
  level: z.enum(VALIDATION_LEVELS),
  group: z.string().min(1).optional().describe("summary group, e.g. deepep, vidur-h100"),
  scenario,
  metric: z.enum(Object.keys(VALIDATION_METRICS) as [string, ...string[]]),
  value: z.number().positive(),
  unit: z.string().min(1).describe("unit of value; converted, never assumed (see docs/validation.md)"),
  calibration: z
    .enum(["used", "held-out"])
    .optional()
    .describe("overrides the suite's calibration for this case"),
  notes: z.string().optional(),
});

export const validationSuiteSchema = z.strictObject({
  suite: z.string().min(1),
  description: z.string().optional(),
  calibration: z
    .enum(["used", "held-out"])
    .describe(
      "used: these measurements set defaults or fits (in-sample); held-out: calibration must not use them",
    ),
  cases: z.array(validationCaseSchema).min(1),
});

export type ValidationCase = z.output<typeof validationCaseSchema>;
export type ValidationSuite = z.output<typeof validationSuiteSchema>;
