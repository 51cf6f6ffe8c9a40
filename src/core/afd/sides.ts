import { BYTES_PER_ELEMENT } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import { layerKindTable } from "../model/layer-kinds.ts";
import type { LayerKind, ModelSpec } from "../model/types.ts";
import type { Op } from "../ops/types.ts";
import { groupSpan } from "../parallel/placement.ts";
import { completePlan, type ResolvedPlan, resolvePlan } from "../parallel/plan.ts";
import type { Predictor } from "../predictor/types.ts";
import { attentionBlockOps } from "../step/attention-ops.ts";
import { type BuildContext, buildContext } from "../step/context.ts";
import { resolveDtypes, type StepDtypes } from "../step/dtypes.ts";
import { costBlock } from "../step/evaluate.ts";
import { denseFfnOps, moeFfnOps } from "../step/ffn-ops.ts";
import { embeddingOps, headOps } from "../step/layer-ops.ts";
import { type StepWorkload, stepTokens } from "../step/workload.ts";
import type { AfdStage } from "./ping-pong.ts";
import { afdTransfer } from "./transfer.ts";

/** One attention:FFN split of a deployment. */
export interface AfdSplit {
  readonly attentionGpus: number;
  readonly ffnGpus: number;
  readonly microBatches: number;
}

export interface AfdSetup {
  readonly model: ModelSpec;
  readonly attentionHardware: HardwareSpec;
  readonly ffnHardware: HardwareSpec;
  /** One attention GPU's whole batch (attention runs TP 1, one data-parallel replica per GPU). */
  readonly workload: StepWorkload;
  readonly expertImbalance: number;
  readonly redundantExperts: number;
  readonly dtypes: Partial<StepDtypes>;
  readonly predictor: Predictor;
}

/** Per-micro-batch stage times of one layer kind. */
export interface AfdLayerTimes {
  readonly kind: LayerKind["ffn"];
  readonly attentionMs: number;
  readonly toFfnMs: number;
  readonly ffnMs: number;
  readonly toAttentionMs: number;
  /** Bytes one attention GPU sends to the FFN GPUs (and gets back, in the combine format). */
  readonly toFfnBytesPerAttentionGpu: number;
}

/** The plans, formats and build contexts of both sides for one split. */
export interface AfdSides {
  readonly attentionPlan: ResolvedPlan;
  readonly ffnPlan: ResolvedPlan;
  readonly attentionDtypes: StepDtypes;
  readonly ffnDtypes: StepDtypes;
  readonly attention: BuildContext;
  readonly ffn: BuildContext;
}

/**
 * The attention side is tp 1, one replica per GPU; the FFN side holds the experts with EP over all
 * its GPUs (dense FFN layers replicated on each), as in MegaScale-Infer (arXiv:2504.02263).
 */
export function afdSides(setup: AfdSetup, ffnGpus: number): AfdSides {
  const { model } = setup;
  const attentionPlan = resolvePlan(model, completePlan({ tp: 1, dp: 1, ep: 1 }));
  const ffnPlan = resolvePlan(
    model,
    completePlan({
      tp: 1,
      dp: ffnGpus,
      ep: model.moe ? ffnGpus : 1,
      redundantExperts: setup.redundantExperts,
      expertImbalance: setup.expertImbalance,
    }),
  );
  const attentionDtypes = resolveDtypes(model, setup.attentionHardware, setup.dtypes);
  const ffnDtypes = resolveDtypes(model, setup.ffnHardware, setup.dtypes);
  return {
    attentionPlan,
    ffnPlan,
    attentionDtypes,
    ffnDtypes,
    attention: buildContext(
      model,
      attentionPlan,
      attentionDtypes,
      setup.attentionHardware,
      "auto",
      "low-latency",
    ),
    ffn: buildContext(model, ffnPlan, ffnDtypes, setup.ffnHardware, "auto", "low-latency"),
  };
}

/** Whether the attention and FFN GPUs of a split share one scale-up domain. */
export function sharesScaleUpDomain(setup: AfdSetup, split: AfdSplit): boolean {
  return (
    setup.attentionHardware === setup.ffnHardware &&
    split.attentionGpus + split.ffnGpus <= setup.attentionHardware.scaleUp.domainGpus
  );
}

const blockMs = (ops: readonly Op[], hardware: HardwareSpec, predictor: Predictor) =>
  costBlock(ops, hardware, predictor, "none").dominantMs;

/**
 * Stage times of one micro-batch in one layer kind. The FFN side reuses the engine's FFN ops with
 * the all-to-all removed: the AFD transfers replace dispatch and combine.
 */
export function layerTimes(
  setup: AfdSetup,
  sides: AfdSides,
  split: AfdSplit,
  kind: LayerKind,
  microWorkload: StepWorkload,
): AfdLayerTimes {
  const { model, predictor } = setup;
  const attentionOps: Op[] = [];
  attentionBlockOps(sides.attention, kind.slidingWindow, microWorkload, attentionOps);
  const tokens = stepTokens(microWorkload);
  const ffnTokensPerGpu = (split.attentionGpus * tokens) / split.ffnGpus;
  const ffnOps: Op[] = [];
  const moe = kind.ffn === "moe" ? model.moe : null;
  if (moe) moeFfnOps(sides.ffn, moe, ffnTokensPerGpu, ffnOps);
  else if (model.dense) denseFfnOps(sides.ffn, model.dense, ffnTokensPerGpu, ffnOps);
  const domain = sharesScaleUpDomain(setup, split) ? setup.attentionHardware.scaleUp.domainGpus : 1;
  const transfer = (name: "to_ffn" | "to_attention", bytesPerElement: number) =>
    afdTransfer({
      name,
      tokensPerAttentionGpu: tokens,
      attentionGpus: split.attentionGpus,
      ffnGpus: split.ffnGpus,
      fanOut: moe ? moe.topK : 1,
      imbalance: moe ? setup.expertImbalance : 1,
      hiddenSize: model.hiddenSize,
      bytesPerElement,
      span: groupSpan(2, 1, domain),
      attentionHardware: setup.attentionHardware,
      ffnHardware: setup.ffnHardware,
      predictor,
    });
  const a = BYTES_PER_ELEMENT[sides.attentionDtypes.activation];
  const toFfn = transfer("to_ffn", moe ? BYTES_PER_ELEMENT[sides.ffnDtypes.dispatch] : a);
  const toAttention = transfer("to_attention", moe ? BYTES_PER_ELEMENT[sides.ffnDtypes.combine] : a);
  return {
    kind: kind.ffn,
    attentionMs: blockMs(attentionOps, setup.attentionHardware, predictor),
    toFfnMs: toFfn.ms,
    ffnMs: blockMs(
      ffnOps.filter((op) => op.comm === null),
      setup.ffnHardware,
      predictor,
    ),
    toAttentionMs: toAttention.ms,
    toFfnBytesPerAttentionGpu: toFfn.attentionGpuBytes,
  };
}

/**
 * The stages one micro-batch passes in a whole step: embedding on the attention GPUs, then per
 * layer attention, transfer, FFN, transfer back, and the LM head on the attention GPUs.
 */
export function stepStages(
  setup: AfdSetup,
  sides: AfdSides,
  split: AfdSplit,
  microWorkload: StepWorkload,
): { readonly stages: AfdStage[]; readonly kinds: readonly AfdLayerTimes[] } {
  const table = layerKindTable(setup.model);
  const kinds = table.kinds.map((kind) => layerTimes(setup, sides, split, kind, microWorkload));
  const { attentionHardware, predictor } = setup;
  const embeddingMs = blockMs(embeddingOps(sides.attention, microWorkload), attentionHardware, predictor);
  const headMs = blockMs(headOps(sides.attention, microWorkload), attentionHardware, predictor);
  const stages: AfdStage[] = [];
  table.kindOfLayer.forEach((kindIndex, layer) => {
    const t = kinds[kindIndex] as AfdLayerTimes;
    stages.push({ resource: "attention", ms: t.attentionMs + (layer === 0 ? embeddingMs : 0) });
    stages.push({ resource: "to-ffn", ms: t.toFfnMs });
    stages.push({ resource: "ffn", ms: t.ffnMs });
    stages.push({ resource: "to-attention", ms: t.toAttentionMs });
  });
  stages.push({ resource: "attention", ms: headMs });
  return { stages, kinds };
}
