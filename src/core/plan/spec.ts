import type { AllReduceImplementation } from "../collectives/custom-all-reduce.ts";
import type { Dtype } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import type { Issue } from "../issues.ts";
import type { ModelSpec } from "../model/types.ts";
import { Mt19937 } from "../sim/mt19937.ts";
import { type LengthDistribution, synthesizeRequests } from "../sim/requests.ts";
import type { StepDtypes } from "../step/dtypes.ts";
import type { OverlapPolicy } from "../step/overlap.ts";

export type PlanMode = "aggregated" | "disaggregated";
export type ExpertLayout = "tp" | "ep";

/**
 * The axes a planning sweep enumerates. Hardware entries are indices into `PlanSpec.hardware`;
 * each role (a replica's hardware and parallel plan) takes one value of every other axis.
 */
export interface PlanAxes {
  readonly modes: readonly PlanMode[];
  /** Hardware an aggregated replica, a prefill replica and a decode replica may use. */
  readonly aggregatedHardware: readonly number[];
  readonly prefillHardware: readonly number[];
  readonly decodeHardware: readonly number[];
  readonly tp: readonly number[];
  readonly pp: readonly number[];
  /** Attention data-parallel groups per stage (MoE models only; dense replicas keep dp 1). */
  readonly dp: readonly number[];
  /** MoE experts: "tp" shards each expert over the stage's GPUs, "ep" spreads whole experts (EP = tp x dp). */
  readonly experts: readonly ExpertLayout[];
  readonly overlap: readonly OverlapPolicy[];
  /** Sequences per attention-DP group a decoding replica runs at once. */
  readonly batch: readonly number[];
  /** KV-cache formats (applies to both sides of a disaggregated deployment). */
  readonly kvDtype: readonly Dtype[];
  /** Prefill and decode replicas of one disaggregated unit (xPyD); pairs with a common factor are skipped. */
  readonly prefillReplicas: readonly number[];
  readonly decodeReplicas: readonly number[];
}

/** Prompt and output lengths: independent distributions, or the paired lengths of a trace. */
export type PlanLengths =
  | {
      readonly kind: "distributions";
      readonly prompt: LengthDistribution;
      readonly output: LengthDistribution;
    }
  | {
      readonly kind: "trace";
      readonly promptTokens: readonly number[];
      readonly outputTokens: readonly number[];
    };

/** What the analytic evaluation uses of the lengths. */
export interface LengthStatistics {
  readonly meanPromptTokens: number;
  readonly meanOutputTokens: number;
  /**
   * Mean KV length a decode step attends, weighted by the steps each request decodes:
   * (E[ISL·OSL] + E[OSL²]/2) / E[OSL].
   */
  readonly meanDecodeContextTokens: number;
  /**
   * Largest prompt + output, of the trace or of a fixed 100,000-request sample of the distributions:
   * a decoding replica's KV cache must hold one such sequence.
   */
  readonly maxSequenceTokens: number;
}

export interface PlanSlo {
  readonly ttftMs?: number;
  readonly tpotMs?: number;
  /** Percentile the serving re-check compares with the targets. */
  readonly percentile: 50 | 90 | 99;
}

export type PlanObjective = "cost" | "throughput";

/** Everything a planning sweep depends on, as plain data (shards and worker threads get a copy). */
export interface PlanSpec {
  readonly model: ModelSpec;
  readonly hardware: readonly HardwareSpec[];
  /** $/GPU-hour per hardware entry; null when unknown. */
  readonly pricesUsdPerGpuHour: readonly (number | null)[];
  readonly axes: PlanAxes;
  /** GPUs in all, and at most this many of each hardware entry (null: no limit of its own). */
  readonly budget: { readonly gpus: number; readonly gpusPerHardware: readonly (number | null)[] };
  readonly lengths: PlanLengths;
  readonly statistics: LengthStatistics;
  /** Requests per second the deployment must sustain; null: as much as the budget gives. */
  readonly ratePerSec: number | null;
  readonly slo: PlanSlo;
  readonly objective: PlanObjective;
  /** Formats other than the KV cache (that one is an axis). */
  readonly dtypes: Partial<Omit<StepDtypes, "kvCache">>;
  readonly memoryUtilization: number;
  /** TP all-reduce kernels of every candidate (`llmsim step --all-reduce`). */
  readonly allReduce: AllReduceImplementation;
  /** Prompt tokens one attention-DP group prefills in one iteration (vLLM's max_num_batched_tokens). */
  readonly maxBatchedTokens: number;
  /**
   * Host (CPU) time every iteration adds to its pipeline stage, ms (scheduling, input preparation,
   * sampling; `llmsim serve --host-overhead-ms`). Absent: none, as the engine's step alone.
   */
  readonly hostOverheadMs?: number;
  /** KV hand-off link: per-GPU bandwidth override (null: the catalog NICs) and latency. */
  readonly kvLink: { readonly bandwidthBytesPerSecPerGpu: number | null; readonly latencySec: number };
  /**
   * Measured kernels the step times come from (llmsim plan --predictor): the predictor's name (for
   * display) and a digest of its kernel data, which the spec hash covers, so shards planned with
   * different data never merge. Absent: the roofline.
   */
  readonly predictor?: { readonly name: string; readonly digest: string };
  /** Serving re-check of the best candidates. */
  readonly recheck: {
    readonly candidates: number;
    readonly requests: number;
    readonly load: number;
    readonly seed: number;
  };
}

const STATISTICS_SAMPLES = 100_000;
const STATISTICS_SEED = 20_261_201;

/** Means of the lengths: exact for a trace, from a fixed sample of 100,000 for distributions. */
export function lengthStatistics(lengths: PlanLengths): LengthStatistics {
  let prompts: ArrayLike<number>;
  let outputs: ArrayLike<number>;
  if (lengths.kind === "trace") {
    prompts = lengths.promptTokens;
    outputs = lengths.outputTokens;
  } else {
    const fixed = lengths.prompt.kind === "fixed" && lengths.output.kind === "fixed";
    const samples = synthesizeRequests(
      new Float64Array(fixed ? 1 : STATISTICS_SAMPLES),
      lengths.prompt,
      lengths.output,
      new Mt19937(STATISTICS_SEED),
    );
    prompts = samples.promptTokens;
    outputs = samples.outputTokens;
  }
  let prompt = 0;
  let output = 0;
  let promptTimesOutput = 0;
  let outputSquared = 0;
  let maxSequence = 0;
  const n = prompts.length;
  for (let i = 0; i < n; i++) {
    const p = prompts[i] as number;
    const o = outputs[i] as number;
    prompt += p;
    output += o;
    promptTimesOutput += p * o;
    outputSquared += o * o;
    if (p + o > maxSequence) maxSequence = p + o;
  }
  return {
    meanPromptTokens: prompt / n,
    meanOutputTokens: output / n,
    meanDecodeContextTokens: (promptTimesOutput + outputSquared / 2) / output,
    maxSequenceTokens: maxSequence,
  };
}

/** Problems with a spec that make the sweep meaningless (the shells add file and flag names). */
export function validatePlanSpec(spec: PlanSpec): Issue[] {
  const issues: Issue[] = [];
  const { axes, budget } = spec;
  if (!(Number.isInteger(budget.gpus) && budget.gpus >= 1))
    issues.push({
      code: "invalid-value",
      path: ["gpus"],
      message: `the GPU budget must be a whole number >= 1, got ${budget.gpus}`,
    });
  for (const [key, values] of Object.entries({
    tp: axes.tp,
    pp: axes.pp,
    dp: axes.dp,
    batch: axes.batch,
    prefillReplicas: axes.prefillReplicas,
    decodeReplicas: axes.decodeReplicas,
  })) {
    if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1))
      issues.push({ code: "invalid-value", path: [key], message: "expected one or more whole numbers >= 1" });
  }
  for (const [key, values] of Object.entries({
    modes: axes.modes,
    experts: axes.experts,
    overlap: axes.overlap,
    kvDtype: axes.kvDtype,
  })) {
    if (values.length === 0)
      issues.push({ code: "invalid-value", path: [key], message: "expected at least one value" });
  }
  if (axes.modes.includes("aggregated") && axes.aggregatedHardware.length === 0)
    issues.push({
      code: "invalid-value",
      path: ["hardware"],
      message: "no hardware for aggregated replicas",
    });
  if (
    axes.modes.includes("disaggregated") &&
    (axes.prefillHardware.length === 0 || axes.decodeHardware.length === 0)
  )
    issues.push({
      code: "invalid-value",
      path: ["hardware"],
      message: "no hardware for prefill or decode replicas",
    });
  for (const [key, value] of Object.entries({
    ttftMs: spec.slo.ttftMs,
    tpotMs: spec.slo.tpotMs,
    rate: spec.ratePerSec ?? undefined,
  })) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      issues.push({ code: "invalid-value", path: [key], message: `must be a number > 0, got ${value}` });
  }
  if (spec.objective === "cost") {
    const used = new Set([...axes.aggregatedHardware, ...axes.prefillHardware, ...axes.decodeHardware]);
    const unpriced = [...used]
      .filter((h) => spec.pricesUsdPerGpuHour[h] === null)
      .map((h) => spec.hardware[h]?.name ?? String(h));
    if (unpriced.length > 0)
      issues.push({
        code: "missing-field",
        path: ["price"],
        message: `the cost objective needs a $/GPU-hour for ${unpriced.join(", ")} (give --price NAME=USD or a price file)`,
      });
  }
  return issues;
}

/**
 * What a custom all-reduce request does not cover: per accelerator, the TP sizes of the space wider
 * than its scale-up domain, whose candidates' all-reduces run on NCCL (one line each; none when the
 * spec asks for NCCL or every TP fits).
 */
export function allReduceFallbackNotes(spec: PlanSpec): string[] {
  if (spec.allReduce !== "custom") return [];
  return spec.hardware.flatMap((hardware) => {
    const domain = hardware.scaleUp.domainGpus;
    const wide = spec.axes.tp.filter((tp) => tp > domain);
    return wide.length === 0
      ? []
      : [
          `custom all-reduce does not apply to TP ${wide.join(", ")} on ${hardware.name}: wider than its ${domain}-GPU scale-up domain, so those candidates' all-reduces run on NCCL`,
        ];
  });
}
