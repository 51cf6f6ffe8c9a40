import { z } from "zod";
import { ALL_REDUCE_IMPLEMENTATIONS } from "../../core/collectives/custom-all-reduce.ts";
import { DTYPES } from "../../core/dtype.ts";
import { InputError } from "../../core/issues.ts";
import { parseLengthDistribution } from "../../core/sim/requests.ts";
import { ROUTER_KINDS, SCHEDULER_KINDS } from "../../core/sim/serve/types.ts";
import { METRIC_ALIASES, VALIDATION_LEVELS, VALIDATION_METRICS } from "../../core/validation/metrics.ts";
import { ARRIVAL_KINDS, checkServeOptions, flagsAsFields } from "../serve-request.ts";
import { stepScenarioSchema, weightBlockSizeSchema } from "./scenario.ts";

const count = z.int().min(1);

/** One kernel on one accelerator: a GEMM of m x n x k (batch of them in one kernel, with batch). */
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
  batch: count
    .optional()
    .describe("independent GEMMs of this shape in one batched kernel (a per-head BMM); absent: a plain GEMM"),
  dtype: z.enum(DTYPES).describe("tensor-core compute format"),
  weightDtype: z.enum(DTYPES).optional().describe("default: dtype"),
  activationDtype: z.enum(DTYPES).optional().describe("default: bf16"),
  weightBlockSize: z
    .union([weightBlockSizeSchema, z.literal("none")])
    .optional()
    .describe(
      "block-scaled FP8 weights: rows x columns per scale, e.g. [128, 128]; none (the default): per-tensor",
    ),
});

const lengths = (which: "prompt" | "output") =>
  z
    .union([
      count,
      z.string().refine((text) => parseLengthDistribution(text, which) !== null, {
        message: "expected a token count, lmsys, or lognormal:MEDIAN:SIGMA[:MIN:MAX]",
      }),
    ])
    .describe(
      `${which} tokens per request: a count, or a distribution as llmsim serve --${which}-tokens takes`,
    );

/**
 * A serving run, in llmsim serve's option names: the deployment (aggregated replicas, or prefill
 * and decode pools), its scheduler and formats, and the workload. Without `rate` every request is
 * queued at time 0 (maximum load, trtllm-bench's throughput mode); with it, arrivals follow
 * `arrival` at that rate.
 */
const serveScenario = z
  .strictObject({
    model: z.string().min(1),
    hardware: z.string().min(1),
    tp: count.optional(),
    pp: count.optional(),
    dp: count.optional(),
    ep: count.optional(),
    replicas: count.optional().describe("replicas serving both phases (default 1)"),
    prefillReplicas: count.optional().describe("disaggregate: prefill replicas (with decodeReplicas)"),
    decodeReplicas: count.optional(),
    prefillHardware: z.string().min(1).optional(),
    decodeHardware: z.string().min(1).optional(),
    prefillTp: count.optional(),
    decodeTp: count.optional(),
    kvLinkGbps: z.number().positive().optional().describe("KV hand-off bandwidth per replica pair, GB/s"),
    scheduler: z.enum(SCHEDULER_KINDS).optional().describe("default continuous"),
    router: z.enum(ROUTER_KINDS).optional().describe("default least-outstanding"),
    weightDtype: z.enum(DTYPES).optional(),
    kvDtype: z.enum(DTYPES).optional(),
    activationDtype: z.enum(DTYPES).optional(),
    allReduce: z.enum(ALL_REDUCE_IMPLEMENTATIONS).optional().describe("TP all-reduce kernels (default nccl)"),
    memoryUtilization: z.number().gt(0).max(1).optional(),
    maxSeqs: count.optional().describe("sequences per batch (default 256)"),
    maxBatchedTokens: count.optional().describe("token budget per iteration (default 8192)"),
    hostOverheadMs: z
      .number()
      .min(0)
      .optional()
      .describe("host (CPU) time added to every iteration, ms (default 0)"),
    requests: count,
    promptTokens: lengths("prompt"),
    outputTokens: lengths("output"),
    rate: z
      .number()
      .positive()
      .optional()
      .describe("mean arrival rate, requests per second (without it: every request at time 0)"),
    arrival: z
      .enum(ARRIVAL_KINDS)
      .optional()
      .describe(
        "with rate: poisson (default), gamma or constant; burst (the default without rate): all at time 0",
      ),
    cv: z
      .number()
      .positive()
      .optional()
      .describe("gamma arrivals: coefficient of variation of the gaps (default 2)"),
    seed: z.int().min(0).optional().describe("seed of the arrivals and sampled lengths (default 0)"),
  })
  .superRefine((s, context) => {
    // Without a rate a case is a burst (every request at time 0); other arrivals need one.
    if (s.rate === undefined && s.arrival !== undefined && s.arrival !== "burst")
      context.addIssue({
        code: "custom",
        path: ["rate"],
        message: `arrival ${s.arrival} describes arrivals at a rate: give rate too (without it every request is queued at time 0)`,
      });
    // The rest are llmsim serve's own checks, in the case's field names.
    const { promptTokens: _prompt, outputTokens: _output, ...options } = s;
    try {
      checkServeOptions(options);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      for (const issue of flagsAsFields(error.issues))
        context.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
    }
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
  activationDtype: z.enum(DTYPES).optional(),
  memoryUtilization: z.number().gt(0).max(1).optional(),
  maxSeqs: count.optional(),
  maxBatchedTokens: count.optional(),
  hostOverheadMs: z.number().min(0).optional(),
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
  metric: z
    .enum([...Object.keys(VALIDATION_METRICS), ...Object.keys(METRIC_ALIASES)] as [string, ...string[]])
    .describe(
      "what is compared (docs/validation.md); kernel_us, ttft_ms_p50 and the like name their unit too",
    ),
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
export type OpCaseScenario = z.output<typeof opScenario>;
export type ServeScenario = z.output<typeof serveScenario>;
export type ValidationSuite = z.output<typeof validationSuiteSchema>;
