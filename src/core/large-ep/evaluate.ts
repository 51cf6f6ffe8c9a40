import { nonPositiveFigureIssues } from "../hardware/bandwidth-check.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import { InputError } from "../issues.ts";
import type { ModelSpec } from "../model/types.ts";
import { groupSpan } from "../parallel/placement.ts";
import type { Predictor } from "../predictor/types.ts";
import type { StepDtypes } from "../step/dtypes.ts";
import type { OverlapPolicy } from "../step/overlap.ts";
import type { LayerExecution, OpRecord } from "../step/result.ts";
import { simulateStep } from "../step/simulate.ts";
import type { StepWorkload } from "../step/workload.ts";
import { type EpList, resolveEpList } from "./ep-list.ts";
import { busiestRankFactor, type ImbalanceSpec, imbalanceIssues } from "./imbalance.ts";

export const DISPATCH_MODES = ["normal", "low-latency"] as const;
export type DispatchMode = (typeof DISPATCH_MODES)[number];
/** Two-micro-batch overlap off and on. */
export const LARGE_EP_OVERLAPS = ["none", "two-micro-batch"] as const satisfies readonly OverlapPolicy[];

export interface LargeEpInput {
  readonly model: ModelSpec;
  readonly hardware: HardwareSpec;
  /** Per attention-DP rank (one GPU: attention runs TP 1, DP = EP). */
  readonly workload: StepWorkload;
  /** EP degrees to evaluate; default DEFAULT_EP_SWEEP where the model and hardware allow. */
  readonly eps?: readonly number[];
  readonly redundantExperts?: number;
  /** Default uniform. */
  readonly imbalance?: ImbalanceSpec;
  readonly dtypes?: Partial<StepDtypes>;
  /** Default: the engine's roofline predictor. */
  readonly predictor?: Predictor;
  readonly memoryUtilization?: number;
}

/** One (EP, dispatch mode, overlap) point: per-MoE-layer cost on one GPU and the step's totals. */
export interface LargeEpRow {
  readonly ep: number;
  readonly gpus: number;
  /** Scale-up domains the EP group spans (1 = NVLink only, > 1 = RDMA between domains). */
  readonly domains: number;
  readonly mode: DispatchMode;
  readonly overlap: (typeof LARGE_EP_OVERLAPS)[number];
  /** Busiest EP rank's routed tokens over the mean, as given to the engine. */
  readonly imbalanceFactor: number;
  /** Component times of one MoE layer, summed over its micro-batches. */
  readonly attentionMs: number;
  readonly routedExpertsMs: number;
  readonly sharedExpertMs: number;
  readonly dispatchMs: number;
  readonly combineMs: number;
  readonly exposedCommMs: number;
  /** MoE layer time after overlap. */
  readonly layerMs: number;
  /** Whole step (for decode: time per output token). */
  readonly stepMs: number;
  readonly tokensPerSecPerGpu: number;
  readonly memoryGBPerGpu: number;
  readonly fits: boolean;
}

export interface LargeEpReport {
  readonly model: string;
  readonly hardware: string;
  readonly workload: StepWorkload;
  readonly redundantExperts: number;
  readonly imbalance: string;
  readonly predictor: string;
  readonly rows: readonly LargeEpRow[];
  readonly skipped: EpList["skipped"];
}

const describe = (spec: ImbalanceSpec): string =>
  spec.kind === "uniform"
    ? "uniform"
    : spec.kind === "power-law"
      ? `power-law:${spec.alpha}`
      : `histogram:${spec.source}`;

/** Σ ms of a layer's ops matching `pick`, over all its micro-batches. */
function sumMs(layer: LayerExecution, pick: (op: OpRecord, index: number) => boolean): number {
  let ms = 0;
  layer.ops.forEach((op, index) => {
    if (pick(op, index)) ms += op.ms;
  });
  return ms * layer.microBatches;
}

/**
 * Large expert-parallel playbook: for each EP degree, simulateStep with attention-DP over EP
 * GPUs, the imbalance spec turned into the busiest-rank factor for that many ranks, in both
 * dispatch modes, with and without two-micro-batch overlap. Throws InputError on invalid input.
 */
export function evaluateLargeEp(input: LargeEpInput): LargeEpReport {
  const { model, hardware } = input;
  const redundantExperts = input.redundantExperts ?? 0;
  const imbalance = input.imbalance ?? { kind: "uniform" };
  const resolved = resolveEpList(model, hardware, redundantExperts, input.eps);
  const issues = [...resolved.issues];
  if (model.moe) issues.push(...imbalanceIssues(imbalance, model.moe.numExperts));
  const eps = resolved.list.eps;
  const spansDomains = eps.some((ep) => ep > hardware.scaleUp.domainGpus);
  issues.push(...nonPositiveFigureIssues(hardware, { scaleUp: true, scaleOut: spansDomains }));
  if (issues.length > 0) throw new InputError(issues);
  const experts = model.moe?.numExperts ?? 0;

  const rows: LargeEpRow[] = [];
  for (const ep of eps) {
    const factor = busiestRankFactor(imbalance, experts, ep, redundantExperts);
    const domains = groupSpan(ep, 1, hardware.scaleUp.domainGpus).domains;
    for (const mode of DISPATCH_MODES) {
      for (const overlap of LARGE_EP_OVERLAPS) {
        const result = simulateStep({
          model,
          hardware,
          workload: input.workload,
          parallel: { tp: 1, dp: ep, ep, redundantExperts, expertImbalance: factor },
          overlap,
          moeAllToAll: mode,
          ...(input.dtypes ? { dtypes: input.dtypes } : {}),
          ...(input.predictor ? { predictor: input.predictor } : {}),
          ...(input.memoryUtilization !== undefined ? { memoryUtilization: input.memoryUtilization } : {}),
          ignoreMemory: true,
          detail: "kinds",
        });
        const totals = result.totals;
        const layer = result.layers.find((record) => record.kind === "moe");
        if (!totals || !layer) continue;
        const ffnStart = layer.ops.findIndex((op) => op.name === "ffn_norm");
        rows.push({
          ep,
          gpus: result.parallel.gpus,
          domains,
          mode,
          overlap,
          imbalanceFactor: factor,
          attentionMs: sumMs(layer, (_, index) => index < ffnStart),
          routedExpertsMs: sumMs(layer, (op) => op.name === "experts_up" || op.name === "experts_down"),
          sharedExpertMs: sumMs(layer, (op) => op.name.startsWith("shared_expert")),
          dispatchMs: sumMs(layer, (op) => op.name === "moe_dispatch"),
          combineMs: sumMs(layer, (op) => op.name === "moe_combine"),
          exposedCommMs: layer.exposedCommMs,
          layerMs: layer.dominantMs,
          stepMs: totals.latencyMs,
          tokensPerSecPerGpu: totals.tokensPerSecPerGpu,
          memoryGBPerGpu: result.memory.totalBytes / 1e9,
          fits: result.memory.fits,
        });
      }
    }
  }
  return {
    model: model.id,
    hardware: hardware.name,
    workload: input.workload,
    redundantExperts,
    imbalance: describe(imbalance),
    predictor: input.predictor?.name ?? "roofline",
    rows,
    skipped: resolved.list.skipped,
  };
}
