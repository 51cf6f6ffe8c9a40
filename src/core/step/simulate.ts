import { type AllReduceImplementation, customAllReduceFallback } from "../collectives/custom-all-reduce.ts";
import { BYTES_PER_ELEMENT } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import { InputError, type Issue } from "../issues.ts";
import { layerKindTable } from "../model/layer-kinds.ts";
import { countParams } from "../model/params.ts";
import type { LayerKind, ModelSpec } from "../model/types.ts";
import { collectiveOp } from "../ops/collective.ts";
import { groupSpan, stageBoundaryCrossesDomain } from "../parallel/placement.ts";
import { completePlan, type ParallelPlan, resolvePlan, validatePlan } from "../parallel/plan.ts";
import { rooflinePredictor } from "../predictor/roofline.ts";
import type { Predictor } from "../predictor/types.ts";
import { type AllToAllMode, buildContext, type MlaMode } from "./context.ts";
import { resolveDtypes, type StepDtypes, unusedWeightBlockWarning } from "./dtypes.ts";
import { type BlockCost, costBlock } from "./evaluate.ts";
import { missingHardwareFigures } from "./hardware-check.ts";
import { decoderLayerOps, embeddingOps, headOps } from "./layer-ops.ts";
import {
  embeddingWeightBytesPerGpu,
  layerKvBytesPerGpu,
  layerWeightBytesPerGpu,
  type MemoryReport,
  peakActivationBytes,
} from "./memory.ts";
import { microBatchesOf, type OverlapPolicy } from "./overlap.ts";
import { layerName, opRecords, toLayerExecution } from "./records.ts";
import type { LayerExecution, StepResult, StepTotals } from "./result.ts";
import { type StepWorkload, scaleSequences, stepTokens, validateWorkload } from "./workload.ts";

export interface StepInput {
  readonly model: ModelSpec;
  readonly hardware: HardwareSpec;
  readonly workload: StepWorkload;
  readonly parallel?: Partial<ParallelPlan>;
  readonly dtypes?: Partial<StepDtypes>;
  /** Default "none". */
  readonly overlap?: OverlapPolicy;
  /** Default "auto" (absorbed MLA for decode, naive for prefill). */
  readonly mlaMode?: MlaMode;
  /** MoE all-to-all kernels; default "auto" (normal mode with prefill tokens, else low-latency). */
  readonly moeAllToAll?: AllToAllMode;
  /** TP all-reduce kernels (default nccl). */
  readonly allReduce?: AllReduceImplementation;
  /** Default: the roofline predictor with DEFAULT_ROOFLINE_PARAMS. */
  readonly predictor?: Predictor;
  /** Fraction of HBM usable for weights, KV cache and activations; default 0.9 (vLLM's default). */
  readonly memoryUtilization?: number;
  /** Simulate even when the configuration does not fit (the result still says it does not). */
  readonly ignoreMemory?: boolean;
  /**
   * "layers": one record per decoder layer (default); "kinds": one record per distinct layer kind
   * (the first layer of each), for analyses that only need each kind once; "totals": no records.
   */
  readonly detail?: "layers" | "kinds" | "totals";
}

const DEFAULT_PREDICTOR = rooflinePredictor();
export const DEFAULT_MEMORY_UTILIZATION = 0.9;

interface KindCost {
  readonly cost: BlockCost;
  readonly weightBytes: number;
  readonly kvBytes: number;
  readonly activationBytes: number;
}

const summaries = new WeakMap<ModelSpec, StepResult["model"]>();

/** The model's id and parameter counts, computed once per model object. */
function modelSummary(model: ModelSpec): StepResult["model"] {
  let summary = summaries.get(model);
  if (!summary) {
    const p = countParams(model);
    summary = {
      id: model.id,
      totalParams: p.totalParams,
      activeParams: p.activeParams,
      activeParamsWithoutEmbedding: p.activeParamsWithoutEmbedding,
      nonEmbeddingParams: p.nonEmbeddingParams,
      mtpParams: p.mtpParams,
    };
    summaries.set(model, summary);
  }
  return summary;
}

/**
 * Simulates one forward step (prefill, decode or mixed) of a model replica on one GPU type:
 * ordered LayerExecution records, totals and the per-GPU memory footprint. Identical layers are
 * costed once. Throws InputError listing every problem when the input is invalid.
 *
 * @example
 * const result = simulateStep({ model, hardware, workload: { prefill: null, decode: { sequences: 64, contextTokens: 4096 } }, parallel: { tp: 8 } });
 * result.totals?.latencyMs;
 */
export function simulateStep(input: StepInput): StepResult {
  const { model, hardware } = input;
  const plan: ParallelPlan = completePlan(input.parallel);
  const overlap = input.overlap ?? "none";
  const predictor = input.predictor ?? DEFAULT_PREDICTOR;
  const utilization = input.memoryUtilization ?? DEFAULT_MEMORY_UTILIZATION;
  const issues: Issue[] = [...validateWorkload(input.workload), ...validatePlan(model, plan)];
  if (!(utilization > 0 && utilization <= 1)) {
    issues.push({
      code: "invalid-value",
      path: ["memoryUtilization"],
      message: `must be in (0, 1], got ${utilization}`,
    });
  }
  if (issues.length > 0) throw new InputError(issues);

  const resolved = resolvePlan(model, plan);
  const dtypes = resolveDtypes(model, hardware, input.dtypes);
  const blockWarning = unusedWeightBlockWarning(dtypes, input.dtypes);
  const extraWarnings: string[] = blockWarning === null ? [] : [blockWarning];
  const requestedAllToAll = input.moeAllToAll ?? "auto";
  const allToAll =
    requestedAllToAll === "auto" ? (input.workload.prefill ? "normal" : "low-latency") : requestedAllToAll;
  const ctx = buildContext(
    model,
    resolved,
    dtypes,
    hardware,
    input.mlaMode ?? "auto",
    allToAll,
    input.allReduce ?? "nccl",
  );
  const allReduceFallback = customAllReduceFallback(input.allReduce ?? "nccl", ctx.spans.tp.domains);
  if (allReduceFallback) extraWarnings.push(allReduceFallback);
  const warnings = extraWarnings.length === 0 ? model.warnings : [...model.warnings, ...extraWarnings];
  const crossesDomain = stageBoundaryCrossesDomain(
    resolved.gpusPerStage,
    resolved.pp,
    hardware.scaleUp.domainGpus,
  );
  const hardwareIssues = missingHardwareFigures(
    hardware,
    [ctx.spans.tp, ctx.spans.dp, ctx.spans.stage],
    crossesDomain,
    resolved.pp,
  );
  if (hardwareIssues.length > 0) throw new InputError(hardwareIssues);

  const microBatches = microBatchesOf(overlap);
  const microWorkload =
    microBatches === 1 ? input.workload : scaleSequences(input.workload, 1 / microBatches);
  const residualBytes = stepTokens(microWorkload) * model.hiddenSize * BYTES_PER_ELEMENT[dtypes.activation];

  const table = layerKindTable(model);
  const kinds: KindCost[] = table.kinds.map((kind) => {
    const ops = decoderLayerOps(ctx, kind, microWorkload);
    return {
      cost: costBlock(ops, hardware, predictor, overlap),
      weightBytes: layerWeightBytesPerGpu(model, kind, resolved, dtypes),
      kvBytes: layerKvBytesPerGpu(model, kind, resolved, dtypes, input.workload),
      activationBytes: peakActivationBytes(ops, residualBytes),
    };
  });
  const embeddingCost = costBlock(embeddingOps(ctx, input.workload), hardware, predictor, "none");
  const headCost = costBlock(headOps(ctx, input.workload), hardware, predictor, "none");
  const sendBytes = stepTokens(input.workload) * model.hiddenSize * BYTES_PER_ELEMENT[dtypes.activation];
  const sendSpan = groupSpan(2, resolved.gpusPerStage, crossesDomain ? 1 : hardware.scaleUp.domainGpus);
  const sendCost =
    resolved.pp > 1
      ? costBlock(
          [collectiveOp("pp_send", "send-recv", sendBytes, sendSpan, "send T·H·a to the next stage")],
          hardware,
          predictor,
          "none",
        )
      : null;

  // Stage times and memory, layer by layer.
  const { embedding: embeddingWeights, head: headWeights } = embeddingWeightBytesPerGpu(model, resolved);
  const stageMs: number[] = [];
  let memory: MemoryReport | null = null;
  let layerIndex = 0;
  for (let stage = 0; stage < resolved.pp; stage++) {
    const isFirst = stage === 0;
    const isLast = stage === resolved.pp - 1;
    let ms =
      (isFirst ? embeddingCost.dominantMs : 0) + (isLast ? headCost.dominantMs : (sendCost?.dominantMs ?? 0));
    let weightsBytes = (isFirst ? embeddingWeights : 0) + (isLast ? headWeights : 0);
    let kvCacheBytes = 0;
    let activationsBytes = 0;
    const count = resolved.layersPerStage[stage] ?? 0;
    for (let i = 0; i < count; i++, layerIndex++) {
      const kindCost = kinds[table.kindOfLayer[layerIndex] as number] as KindCost;
      ms += kindCost.cost.dominantMs;
      weightsBytes += kindCost.weightBytes;
      kvCacheBytes += kindCost.kvBytes;
      activationsBytes = Math.max(activationsBytes, kindCost.activationBytes);
    }
    stageMs.push(ms);
    const totalBytes = weightsBytes + kvCacheBytes + activationsBytes;
    if (memory === null || totalBytes > memory.totalBytes) {
      const capacityBytes = hardware.hbmBytes as number;
      const usableBytes = capacityBytes * utilization;
      memory = {
        weightsBytes,
        kvCacheBytes,
        activationsBytes,
        totalBytes,
        capacityBytes,
        usableBytes,
        fits: totalBytes <= usableBytes,
        stage,
      };
    }
  }
  const memoryReport = memory as MemoryReport;
  const result = (
    status: StepResult["status"],
    layers: LayerExecution[],
    totals: StepTotals | null,
  ): StepResult => ({
    schemaVersion: 1,
    status,
    model: modelSummary(model),
    hardware: { name: hardware.name },
    parallel: resolved,
    workload: input.workload,
    dtypes,
    overlap,
    moeAllToAll: allToAll,
    allReduce: ctx.allReduce,
    predictor: predictor.name,
    memory: memoryReport,
    layers,
    totals,
    warnings,
  });
  if (!memoryReport.fits && !input.ignoreMemory) return result("does-not-fit", [], null);

  const layers: LayerExecution[] = [];
  const detail = input.detail ?? "layers";
  const detailed = detail !== "totals";
  const emittedKinds = detail === "kinds" ? new Array<boolean>(kinds.length).fill(false) : null;
  let bottleneck = { layer: -1, name: "embedding", dominantMs: embeddingCost.dominantMs };
  let computeMs = embeddingCost.computeMs + headCost.computeMs;
  let memoryMs = embeddingCost.memoryMs + headCost.memoryMs;
  let commMs = embeddingCost.commMs + headCost.commMs + (sendCost ? sendCost.commMs * (resolved.pp - 1) : 0);
  let exposedCommMs =
    embeddingCost.exposedCommMs +
    headCost.exposedCommMs +
    (sendCost ? sendCost.exposedCommMs * (resolved.pp - 1) : 0);
  let replicaFlops = (embeddingCost.flops + headCost.flops) * resolved.gpusPerStage;
  let flopsPerGpu = 0;
  if (detailed) layers.push(toLayerExecution(-1, "embedding", "embedding", 0, embeddingCost));
  const kindRecords = detailed ? kinds.map((kind) => opRecords(kind.cost)) : [];
  layerIndex = 0;
  for (let stage = 0; stage < resolved.pp; stage++) {
    const count = resolved.layersPerStage[stage] ?? 0;
    let stageFlops =
      (stage === 0 ? embeddingCost.flops : 0) + (stage === resolved.pp - 1 ? headCost.flops : 0);
    for (let i = 0; i < count; i++, layerIndex++) {
      const kindIndex = table.kindOfLayer[layerIndex] as number;
      const cost = (kinds[kindIndex] as KindCost).cost;
      computeMs += cost.computeMs;
      memoryMs += cost.memoryMs;
      commMs += cost.commMs;
      exposedCommMs += cost.exposedCommMs;
      replicaFlops += cost.flops * resolved.gpusPerStage;
      stageFlops += cost.flops;
      if (cost.dominantMs > bottleneck.dominantMs)
        bottleneck = { layer: layerIndex, name: layerName(layerIndex), dominantMs: cost.dominantMs };
      if (detailed && (emittedKinds === null || !emittedKinds[kindIndex])) {
        if (emittedKinds) emittedKinds[kindIndex] = true;
        layers.push(
          toLayerExecution(
            layerIndex,
            layerName(layerIndex),
            (table.kinds[kindIndex] as LayerKind).ffn,
            stage,
            cost,
            kindRecords[kindIndex],
          ),
        );
      }
    }
    flopsPerGpu = Math.max(flopsPerGpu, stageFlops);
    if (sendCost && stage < resolved.pp - 1 && detailed)
      layers.push(toLayerExecution(-2, `pp_send ${stage}->${stage + 1}`, "pipeline", stage, sendCost));
  }
  if (headCost.dominantMs > bottleneck.dominantMs)
    bottleneck = { layer: model.numLayers, name: "lm_head", dominantMs: headCost.dominantMs };
  if (detailed) layers.push(toLayerExecution(model.numLayers, "lm_head", "head", resolved.pp - 1, headCost));

  const latencyMs = stageMs.reduce((sum, ms) => sum + ms, 0);
  const slowestStageMs = Math.max(...stageMs);
  const tokensPerStep = stepTokens(input.workload) * resolved.dp;
  const tokensPerSecPerReplica = (tokensPerStep * 1e3) / slowestStageMs;
  const totals: StepTotals = {
    latencyMs,
    stageMs,
    flops: replicaFlops,
    flopsPerGpu,
    achievedTflopsPerGpu: flopsPerGpu / (slowestStageMs * 1e-3) / 1e12,
    tokensPerStep,
    tokensPerSecPerReplica,
    tokensPerSecPerGpu: tokensPerSecPerReplica / resolved.gpus,
    computeMs,
    memoryMs,
    commMs,
    exposedCommMs,
    bottleneckLayer: bottleneck,
    peakMemoryBytesPerGpu: memoryReport.totalBytes,
  };
  if (!Number.isFinite(latencyMs))
    throw new RangeError(`step time is not finite (${latencyMs}); a hardware figure is missing`);
  return result("ok", layers, totals);
}
