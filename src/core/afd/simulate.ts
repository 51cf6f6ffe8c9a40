import { nonPositiveFigureIssues } from "../hardware/bandwidth-check.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import { InputError, type Issue } from "../issues.ts";
import type { ModelSpec } from "../model/types.ts";
import { completePlan, validatePlan } from "../parallel/plan.ts";
import { rooflinePredictor } from "../predictor/roofline.ts";
import type { Predictor } from "../predictor/types.ts";
import type { StepDtypes } from "../step/dtypes.ts";
import { missingHardwareFigures } from "../step/hardware-check.ts";
import { DEFAULT_MEMORY_UTILIZATION } from "../step/simulate.ts";
import {
  type StepWorkload,
  scaleSequences,
  stepSequences,
  stepTokens,
  validateWorkload,
} from "../step/workload.ts";
import { type ColocatedResult, colocatedStep } from "./colocated.ts";
import { afdMemory } from "./memory.ts";
import { AFD_RESOURCES, type AfdResource, pingPongStepMs, steadyLayerMs } from "./ping-pong.ts";
import {
  type AfdLayerTimes,
  type AfdSetup,
  type AfdSplit,
  afdSides,
  sharesScaleUpDomain,
  stepStages,
} from "./sides.ts";

/** Default search: attention GPUs, FFN GPUs and micro-batches in flight. */
export const DEFAULT_ATTENTION_GPUS = [1, 2, 4, 8, 16, 32, 64] as const;
export const DEFAULT_FFN_GPUS = [1, 2, 4, 8, 16, 32, 64] as const;
export const DEFAULT_MICRO_BATCHES = [1, 2, 3, 4] as const;

export interface AfdInput {
  readonly model: ModelSpec;
  readonly attentionHardware: HardwareSpec;
  /** Default: the attention hardware (one GPU type). */
  readonly ffnHardware?: HardwareSpec;
  /** GPU type of the co-located comparison; default the attention hardware. */
  readonly colocatedHardware?: HardwareSpec;
  /** One attention GPU's batch: decode sequences with their KV context, or prompts to prefill. */
  readonly workload: StepWorkload;
  readonly attentionGpus?: readonly number[];
  readonly ffnGpus?: readonly number[];
  readonly microBatches?: readonly number[];
  /** Busiest FFN rank's routed tokens over the mean; default 1. */
  readonly expertImbalance?: number;
  readonly redundantExperts?: number;
  readonly dtypes?: Partial<StepDtypes>;
  /** Default: the engine's roofline predictor. */
  readonly predictor?: Predictor;
  readonly memoryUtilization?: number;
}

/** Which resource limits a split: a side, a link, or the pipeline latency (too few micro-batches). */
export type AfdBottleneck = "attention" | "ffn" | "transfer" | "latency";

/** The best micro-batch count of one attention:FFN split. */
export interface AfdCandidate extends AfdSplit {
  readonly gpus: number;
  /** Attention GPUs per FFN GPU. */
  readonly ratio: number;
  readonly transferTier: "scale-up" | "scale-out";
  /** Per-micro-batch stage times of a MoE layer (of the first layer when the model is dense). */
  readonly layer: AfdLayerTimes;
  /** That layer's steady state: max(m · slowest stage, Σ stages). */
  readonly steadyLayerMs: number;
  /** Whole step through the ping-pong pipeline, fill and drain included. */
  readonly stepMs: number;
  /** Time each resource is busy in the step. */
  readonly busyMs: Readonly<Record<AfdResource, number>>;
  readonly bottleneck: AfdBottleneck;
  readonly tokensPerStep: number;
  readonly tokensPerSec: number;
  readonly tokensPerSecPerGpu: number;
  readonly attentionMemoryGB: number;
  readonly ffnMemoryGB: number;
  readonly fits: boolean;
  /** The same GPUs running the normal engine step (null when the engine cannot run it, see note). */
  readonly colocated: ColocatedResult;
}

export interface AfdReport {
  readonly model: string;
  readonly attentionHardware: string;
  readonly ffnHardware: string;
  readonly workload: StepWorkload;
  readonly predictor: string;
  /** The best micro-batch count per split, best throughput per GPU first. */
  readonly candidates: readonly AfdCandidate[];
  /** The candidate with the highest throughput per GPU among those that fit; null if none fits. */
  readonly best: AfdCandidate | null;
  readonly skipped: readonly { readonly split: string; readonly reason: string }[];
}

const DEFAULT_PREDICTOR = rooflinePredictor();

function listIssues(name: string, values: readonly number[]): Issue[] {
  if (values.length > 0 && values.every((v) => Number.isInteger(v) && v >= 1)) return [];
  return [
    {
      code: "invalid-value",
      path: [name],
      message: `must be a non-empty list of integers >= 1, got [${values.join(", ")}]`,
    },
  ];
}

function inputIssues(input: AfdInput, hardware: readonly HardwareSpec[]): Issue[] {
  const issues: Issue[] = [
    ...validateWorkload(input.workload),
    ...listIssues("attentionGpus", input.attentionGpus ?? DEFAULT_ATTENTION_GPUS),
    ...listIssues("ffnGpus", input.ffnGpus ?? DEFAULT_FFN_GPUS),
    ...listIssues("microBatches", input.microBatches ?? DEFAULT_MICRO_BATCHES),
  ];
  const imbalance = input.expertImbalance ?? 1;
  if (!(Number.isFinite(imbalance) && imbalance >= 1))
    issues.push({
      code: "invalid-value",
      path: ["expertImbalance"],
      message: `must be a number >= 1 (1 = balanced), got ${imbalance}`,
    });
  for (const spec of hardware) {
    issues.push(...missingHardwareFigures(spec, [], false, 1));
    issues.push(...nonPositiveFigureIssues(spec, { scaleUp: true, scaleOut: true }));
  }
  return issues;
}

/** Why a split cannot run on this hardware, or null. */
function splitProblem(setup: AfdSetup, split: AfdSplit): string | null {
  const ffnPlan = completePlan({
    tp: 1,
    dp: split.ffnGpus,
    ep: setup.model.moe ? split.ffnGpus : 1,
    redundantExperts: setup.redundantExperts,
    expertImbalance: setup.expertImbalance,
  });
  const planIssue = validatePlan(setup.model, ffnPlan)[0];
  if (planIssue) return `FFN side: ${planIssue.message}`;
  const tier = sharesScaleUpDomain(setup, split) ? "scaleUp" : "scaleOut";
  for (const hardware of new Set([setup.attentionHardware, setup.ffnHardware])) {
    if (hardware[tier].bandwidthBytesPerSec === undefined)
      return `the attention-FFN link needs ${tier}.bandwidthGBps, which ${hardware.name} does not give`;
  }
  return null;
}

/**
 * Attention-FFN disaggregation (MegaScale-Infer arXiv:2504.02263, Step-3 arXiv:2507.19427):
 * attention and FFN (expert) layers on separate GPUs, m micro-batches ping-ponging between them,
 * activations sent over the interconnect both ways every layer. Searches the attention and FFN
 * GPU counts and the micro-batch count, and compares each split with the same GPUs co-located.
 * Throws InputError on invalid input.
 */
export function simulateAfd(input: AfdInput): AfdReport {
  const attentionHardware = input.attentionHardware;
  const ffnHardware = input.ffnHardware ?? attentionHardware;
  const colocatedHardware = input.colocatedHardware ?? attentionHardware;
  const issues = inputIssues(input, [...new Set([attentionHardware, ffnHardware, colocatedHardware])]);
  if (issues.length > 0) throw new InputError(issues);
  const predictor = input.predictor ?? DEFAULT_PREDICTOR;
  const utilization = input.memoryUtilization ?? DEFAULT_MEMORY_UTILIZATION;
  const setup: AfdSetup = {
    model: input.model,
    attentionHardware,
    ffnHardware,
    workload: input.workload,
    expertImbalance: input.expertImbalance ?? 1,
    redundantExperts: input.redundantExperts ?? 0,
    dtypes: input.dtypes ?? {},
    predictor,
  };
  const sequences = stepSequences(input.workload);
  const candidates: AfdCandidate[] = [];
  const skipped: { split: string; reason: string }[] = [];
  const colocatedCache = new Map<string, ColocatedResult>();
  for (const attentionGpus of input.attentionGpus ?? DEFAULT_ATTENTION_GPUS) {
    for (const ffnGpus of input.ffnGpus ?? DEFAULT_FFN_GPUS) {
      const name = `${attentionGpus}:${ffnGpus}`;
      const problem = splitProblem(setup, { attentionGpus, ffnGpus, microBatches: 1 });
      if (problem !== null) {
        skipped.push({ split: name, reason: problem });
        continue;
      }
      const sides = afdSides(setup, ffnGpus);
      const memory = afdMemory(
        input.model,
        sides,
        input.workload,
        attentionHardware,
        ffnHardware,
        utilization,
      );
      let best: Omit<AfdCandidate, "colocated"> | null = null;
      for (const microBatches of input.microBatches ?? DEFAULT_MICRO_BATCHES) {
        if (microBatches > sequences) continue;
        const split = { attentionGpus, ffnGpus, microBatches };
        const { stages, kinds } = stepStages(
          setup,
          sides,
          split,
          scaleSequences(input.workload, 1 / microBatches),
        );
        const stepMs = pingPongStepMs(stages, microBatches);
        const busyMs = Object.fromEntries(AFD_RESOURCES.map((r) => [r, 0])) as Record<AfdResource, number>;
        let oneMicroBatchMs = 0;
        for (const stage of stages) {
          busyMs[stage.resource] += microBatches * stage.ms;
          oneMicroBatchMs += stage.ms;
        }
        const slowest = AFD_RESOURCES.reduce((a, b) => (busyMs[b] > busyMs[a] ? b : a));
        const bottleneck: AfdBottleneck =
          busyMs[slowest] < oneMicroBatchMs
            ? "latency"
            : slowest === "to-ffn" || slowest === "to-attention"
              ? "transfer"
              : slowest;
        const layer = kinds.find((k) => k.kind === "moe") ?? (kinds[0] as AfdLayerTimes);
        const tokensPerStep = attentionGpus * stepTokens(input.workload);
        const tokensPerSec = (tokensPerStep * 1e3) / stepMs;
        const candidate = {
          ...split,
          gpus: attentionGpus + ffnGpus,
          ratio: attentionGpus / ffnGpus,
          transferTier: sharesScaleUpDomain(setup, split) ? ("scale-up" as const) : ("scale-out" as const),
          layer,
          steadyLayerMs: steadyLayerMs(
            [layer.attentionMs, layer.toFfnMs, layer.ffnMs, layer.toAttentionMs],
            microBatches,
          ),
          stepMs,
          busyMs,
          bottleneck,
          tokensPerStep,
          tokensPerSec,
          tokensPerSecPerGpu: tokensPerSec / (attentionGpus + ffnGpus),
          attentionMemoryGB: memory.attentionGpuBytes / 1e9,
          ffnMemoryGB: memory.ffnGpuBytes / 1e9,
          fits: memory.attentionFits && memory.ffnFits,
        };
        if (best === null || candidate.tokensPerSecPerGpu > best.tokensPerSecPerGpu) best = candidate;
      }
      if (best === null) {
        skipped.push({
          split: name,
          reason: `every micro-batch count exceeds the ${sequences} sequences per attention GPU`,
        });
        continue;
      }
      const gpus = attentionGpus + ffnGpus;
      const batchPerGpu = Math.ceil((attentionGpus * sequences) / gpus);
      const key = `${gpus}|${batchPerGpu}`;
      let colocated = colocatedCache.get(key);
      if (!colocated) {
        colocated = colocatedStep({ ...input, hardware: colocatedHardware, predictor }, gpus, batchPerGpu);
        colocatedCache.set(key, colocated);
      }
      candidates.push({ ...best, colocated });
    }
  }
  candidates.sort((a, b) => b.tokensPerSecPerGpu - a.tokensPerSecPerGpu);
  return {
    model: input.model.id,
    attentionHardware: attentionHardware.name,
    ffnHardware: ffnHardware.name,
    workload: input.workload,
    predictor: predictor.name,
    candidates,
    best: candidates.find((c) => c.fits) ?? null,
    skipped,
  };
}
