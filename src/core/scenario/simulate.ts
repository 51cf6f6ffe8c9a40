import { BYTES_PER_ELEMENT } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import { InputError } from "../issues.ts";
import { layerKindTable } from "../model/layer-kinds.ts";
import type { ModelSpec } from "../model/types.ts";
import { collectiveOp } from "../ops/collective.ts";
import { groupSpan } from "../parallel/placement.ts";
import { completePlan, resolvePlan } from "../parallel/plan.ts";
import { rooflinePredictor } from "../predictor/roofline.ts";
import type { Bound, Predictor } from "../predictor/types.ts";
import { buildContext, type MlaMode } from "../step/context.ts";
import { resolveDtypes, type StepDtypes } from "../step/dtypes.ts";
import { type BlockCost, costBlock } from "../step/evaluate.ts";
import { missingHardwareFigures } from "../step/hardware-check.ts";
import { decoderLayerOps } from "../step/layer-ops.ts";
import { layerKvBytesPerGpu, layerWeightBytesPerGpu, peakActivationBytes } from "../step/memory.ts";
import { type OverlapPolicy, overlappedMs } from "../step/overlap.ts";
import { opRecords } from "../step/records.ts";
import type { OpRecord } from "../step/result.ts";
import { type StepWorkload, stepTokens, validateWorkload } from "../step/workload.ts";
import type { ScenarioLayer, ScenarioLayerType } from "./types.ts";

export interface ScenarioInput {
  /** One decoder layer per ffn_layer/moe_layer entry of `layers`, in the same order. */
  readonly model: ModelSpec;
  readonly hardware: HardwareSpec;
  readonly layers: readonly ScenarioLayer[];
  readonly workload: StepWorkload;
  /** Default: the roofline predictor with DEFAULT_ROOFLINE_PARAMS. */
  readonly predictor?: Predictor;
  /** "full" lets a comm_layer overlap the compute layer before it; default "none". */
  readonly overlap?: OverlapPolicy;
  /** Fraction of the "full" overlap achieved, in [0, 1]; default 1. */
  readonly overlapEfficiency?: number;
  readonly dtypes?: Partial<StepDtypes>;
  /** Default "auto" (absorbed MLA for decode, naive for prefill). */
  readonly mlaMode?: MlaMode;
}

/** LLMSimulator's LayerExecution (seed field names), one GPU, the whole batch. */
export interface ScenarioLayerExecution {
  readonly layer_name: string;
  readonly layer_type: ScenarioLayerType;
  readonly flops: number;
  readonly bytes_read: number;
  readonly bytes_written: number;
  /** Σ of the ops' compute-roof times. */
  readonly compute_time_ms: number;
  /** Σ of the ops' memory-roof times. */
  readonly memory_time_ms: number;
  /** Σ of the collectives' times. */
  readonly comm_time_ms: number;
  /** The layer's own time: Σ over ops of max(compute, memory) (or the collective's time). */
  readonly dominant_latency_ms: number;
  /** Time the layer adds to the run: dominant_latency_ms less what overlaps the layer before it. */
  readonly estimated_execution_time_ms: number;
  readonly bound: Bound;
  readonly ops: readonly OpRecord[];
}

/** LLMSimulator's SimulationResult: ordered layer records and totals. */
export interface SimulationResult {
  readonly schemaVersion: 1;
  readonly hardware: string;
  readonly model: string;
  readonly workload: StepWorkload;
  readonly dtypes: StepDtypes;
  readonly predictor: string;
  readonly overlap: OverlapPolicy;
  readonly overlap_efficiency: number;
  readonly layers: readonly ScenarioLayerExecution[];
  readonly memory: {
    readonly weights_bytes: number;
    readonly kv_cache_bytes: number;
    readonly activations_bytes: number;
    readonly hbm_bytes: number;
    readonly fits: boolean;
  };
  readonly total_latency_ms: number;
  readonly total_flops: number;
  /** Weights and KV cache of every listed layer plus the largest activation (no embedding or head). */
  readonly peak_memory_bytes: number;
  readonly bottleneck_layer: string;
}

const DEFAULT_PREDICTOR = rooflinePredictor();

/**
 * Walks a scenario's ordered layers on one GPU: ffn/moe layers are the engine's decoder-layer ops
 * (attention block then dense MLP or MoE), comm layers one collective each. Under overlap "full" a
 * comm layer hides behind the compute layer before it, at overlapEfficiency:
 * time = (1 - e) x serial + e x overlapped (the engine's "none" and "full" rules).
 */
export function simulateScenario(input: ScenarioInput): SimulationResult {
  const { model, hardware, layers, workload } = input;
  const predictor = input.predictor ?? DEFAULT_PREDICTOR;
  const overlap = input.overlap ?? "none";
  const efficiency = overlap === "none" ? 0 : (input.overlapEfficiency ?? 1);
  const issues = validateWorkload(workload);
  const computeLayers = layers.filter((layer) => layer.type !== "comm_layer").length;
  if (computeLayers !== model.layers.length) {
    issues.push({
      code: "invalid-value",
      path: ["layers"],
      message: `${computeLayers} ffn/moe layers but the model has ${model.layers.length}`,
    });
  }
  if (!(efficiency >= 0 && efficiency <= 1))
    issues.push({
      code: "invalid-value",
      path: ["overlapEfficiency"],
      message: `must be in [0, 1], got ${efficiency}`,
    });
  const domainGpus = hardware.scaleUp.domainGpus;
  const spanOf = (layer: ScenarioLayer) => groupSpan(layer.comm?.groupSize ?? 1, 1, domainGpus);
  issues.push(...missingHardwareFigures(hardware, layers.map(spanOf), false, 1));
  if (issues.length > 0) throw new InputError(issues);

  const resolved = resolvePlan(model, completePlan({}));
  const dtypes = resolveDtypes(model, hardware, input.dtypes);
  const ctx = buildContext(
    model,
    resolved,
    dtypes,
    hardware,
    input.mlaMode ?? "auto",
    workload.prefill ? "normal" : "low-latency",
  );
  const residualBytes = stepTokens(workload) * model.hiddenSize * BYTES_PER_ELEMENT[dtypes.activation];
  const table = layerKindTable(model);
  const kindCosts = table.kinds.map((kind) => {
    const ops = decoderLayerOps(ctx, kind, workload);
    const cost = costBlock(ops, hardware, predictor, overlap);
    return {
      cost,
      records: opRecords(cost),
      weightBytes: layerWeightBytesPerGpu(model, kind, resolved, dtypes),
      kvBytes: layerKvBytesPerGpu(model, kind, resolved, dtypes, workload),
      activationBytes: peakActivationBytes(ops, residualBytes),
    };
  });

  const records: ScenarioLayerExecution[] = [];
  let weightsBytes = 0;
  let kvBytes = 0;
  let activationsBytes = 0;
  let decoderIndex = 0;
  /** Compute time of the layer just walked that a following comm layer may still hide behind. */
  let hideableMs = 0;
  for (const layer of layers) {
    let cost: BlockCost;
    let ops: readonly OpRecord[];
    let addedMs: number;
    if (layer.comm) {
      const { collective, payloadBytes, groupSize } = layer.comm;
      const op = collectiveOp(
        layer.name,
        collective,
        payloadBytes,
        spanOf(layer),
        `${collective} of ${payloadBytes} B per GPU over ${groupSize} GPUs`,
      );
      cost = costBlock([op], hardware, predictor, "none");
      ops = opRecords(cost);
      const serialMs = overlappedMs("none", hideableMs, cost.commMs);
      const overlappedTotalMs = overlappedMs("full", hideableMs, cost.commMs);
      addedMs = (1 - efficiency) * serialMs + efficiency * overlappedTotalMs - hideableMs;
      hideableMs = 0;
    } else {
      const kind = kindCosts[table.kindOfLayer[decoderIndex++] as number] as (typeof kindCosts)[number];
      cost = kind.cost;
      ops = kind.records;
      weightsBytes += kind.weightBytes;
      kvBytes += kind.kvBytes;
      activationsBytes = Math.max(activationsBytes, kind.activationBytes);
      addedMs = cost.dominantMs;
      hideableMs = cost.dominantMs - cost.exposedCommMs;
    }
    records.push({
      layer_name: layer.name,
      layer_type: layer.type,
      flops: cost.flops,
      bytes_read: cost.bytesRead,
      bytes_written: cost.bytesWritten,
      compute_time_ms: cost.computeMs,
      memory_time_ms: cost.memoryMs,
      comm_time_ms: cost.commMs,
      dominant_latency_ms: cost.dominantMs,
      estimated_execution_time_ms: addedMs,
      bound: cost.bound,
      ops,
    });
  }

  let bottleneck = records[0] as ScenarioLayerExecution;
  for (const record of records)
    if (record.estimated_execution_time_ms > bottleneck.estimated_execution_time_ms) bottleneck = record;
  const totalBytes = weightsBytes + kvBytes + activationsBytes;
  const hbmBytes = hardware.hbmBytes as number;
  return {
    schemaVersion: 1,
    hardware: hardware.name,
    model: model.id,
    workload,
    dtypes,
    predictor: predictor.name,
    overlap,
    overlap_efficiency: efficiency,
    layers: records,
    memory: {
      weights_bytes: weightsBytes,
      kv_cache_bytes: kvBytes,
      activations_bytes: activationsBytes,
      hbm_bytes: hbmBytes,
      fits: totalBytes <= hbmBytes,
    },
    total_latency_ms: records.reduce((sum, record) => sum + record.estimated_execution_time_ms, 0),
    total_flops: records.reduce((sum, record) => sum + record.flops, 0),
    peak_memory_bytes: totalBytes,
    bottleneck_layer: bottleneck.layer_name,
  };
}
