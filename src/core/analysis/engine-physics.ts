import type { HardwareSpec } from "../hardware/types.ts";
import type { ModelSpec } from "../model/types.ts";
import type { Predictor } from "../predictor/types.ts";
import { moeShape } from "../presets/shallowsim/shapes.ts";
import type { OverlapPolicy } from "../step/overlap.ts";
import type { LayerExecution, OpRecord, StepResult } from "../step/result.ts";
import { simulateStep } from "../step/simulate.ts";
import type { EpDecodeColumns } from "./ep-decode.ts";
import type { EpPrefillColumns } from "./ep-prefill.ts";

/** Which table column each engine op feeds (attention block, FFN, experts, all-to-all). */
type Column = "attention" | "mlp" | "shared" | "routed" | "dispatch" | "combine";

function columnOf(op: OpRecord): Column {
  const name = op.name;
  if (name === "moe_dispatch" || name === "moe_all_gather") return "dispatch";
  if (
    name === "moe_combine" ||
    name === "moe_tp_all_reduce" ||
    name === "moe_reduce_scatter" ||
    name === "moe_tp_all_gather" ||
    name === "moe_all_reduce"
  ) {
    return "combine";
  }
  if (name.startsWith("shared_expert")) return "shared";
  if (name === "router" || name.startsWith("experts_")) return "routed";
  if (name === "ffn_norm") return "routed";
  if (name.startsWith("mlp")) return "mlp";
  return "attention";
}

/** Per-column ms of one layer record (all micro-batches). */
function layerColumns(layer: LayerExecution | undefined): Record<Column, number> {
  const sums: Record<Column, number> = {
    attention: 0,
    mlp: 0,
    shared: 0,
    routed: 0,
    dispatch: 0,
    combine: 0,
  };
  if (!layer) return sums;
  for (const op of layer.ops) {
    const column = op.name === "ffn_norm" && layer.kind === "dense" ? "mlp" : columnOf(op);
    sums[column] += op.ms * layer.microBatches;
  }
  return sums;
}

const firstOfKind = (result: StepResult, kind: "dense" | "moe") => result.layers.find((l) => l.kind === kind);

/** Embedding, LM head and pipeline sends: step time outside the decoder layers. */
function outsideLayersMs(result: StepResult): number {
  return result.layers
    .filter((l) => l.kind === "embedding" || l.kind === "head" || l.kind === "pipeline")
    .reduce((sum, l) => sum + l.dominantMs, 0);
}

export interface EngineRowInput {
  readonly model: ModelSpec;
  readonly hardware: HardwareSpec;
  readonly predictor?: Predictor;
  readonly overlap: OverlapPolicy;
}

/**
 * A decode row under llmsim's own physics: `batch` sequences per GPU, attention TP `tp`, the EP
 * group of `ep` GPUs as ep/tp attention-DP groups, spare expert slots as replicas. Returns null
 * when the plan is impossible (EP not a multiple of TP, TP not dividing heads) or does not fit.
 * Delta is the MoE layer's time beyond COMP_SUM (its communication left exposed by the overlap
 * policy: COMM_SUM with no overlap), or COMM_SUM - COMP_SUM (<= 0) when none is exposed; with
 * otherMs, TPOT is simulateStep's latency at every TP and overlap.
 */
export function engineDecodeRow(
  input: EngineRowInput,
  ep: number,
  batch: number,
  tp: number,
  contextTokens: number,
): { columns: EpDecodeColumns; delta: number; otherMs: number } | null {
  const { model } = input;
  const experts = model.moe?.numExperts ?? 0;
  if (ep % tp !== 0 || model.attention.numHeads % tp !== 0) return null;
  let result: StepResult;
  try {
    result = simulateStep({
      model,
      hardware: input.hardware,
      parallel: { tp, dp: ep / tp, ep, redundantExperts: Math.max(0, ep - experts) },
      workload: { prefill: null, decode: { sequences: batch * tp, contextTokens } },
      overlap: input.overlap,
      detail: "kinds",
      ...(input.predictor ? { predictor: input.predictor } : {}),
    });
  } catch {
    return null;
  }
  if (result.status !== "ok") return null;
  const dense = layerColumns(firstOfKind(result, "dense"));
  const sparse = layerColumns(firstOfKind(result, "moe"));
  const columns: EpDecodeColumns = {
    denseMla: dense.attention,
    denseMlp: dense.mlp,
    sparseMla: sparse.attention,
    combine: sparse.combine,
    sharedExpert: sparse.shared,
    routedExpert: sparse.routed,
    dispatch: sparse.dispatch,
  };
  // The layers' own times, so that TPOT is the step's latency. Delta is what the MoE layer takes
  // beyond the compute columns (its exposed communication), or, when nothing is exposed, the
  // headroom comm - compute (<= 0) as ShallowSim's Delta shows it. The compute columns count TP
  // all-reduces as the table always has; an overlap that hides them saves time below the columns,
  // which goes, with the embedding and LM head, into otherMs.
  const comm = columns.dispatch + columns.combine;
  const compute = columns.sparseMla + columns.sharedExpert + columns.routedExpert;
  const moeBeyondMs = (firstOfKind(result, "moe")?.dominantMs ?? 0) - compute;
  const denseBeyondMs = (firstOfKind(result, "dense")?.dominantMs ?? 0) - columns.denseMla - columns.denseMlp;
  const { denseLayers, sparseLayers } = moeShape(model);
  const exposed = moeBeyondMs > 1e-12 * compute;
  const delta = exposed ? moeBeyondMs : Math.min(0, comm - compute);
  const otherMs =
    outsideLayersMs(result) + denseLayers * denseBeyondMs + (exposed ? 0 : sparseLayers * moeBeyondMs);
  return { columns, delta, otherMs };
}

/**
 * Prefill components under llmsim's own physics for one GPU: each attention-DP group of `tp`
 * GPUs runs one prompt of `seqLen` tokens of which `kvCacheRate` are prefix-cache hits; experts
 * are spread over all tp x dp GPUs (EP = tp·dp). Returns the columns and the engine's step time.
 */
export function enginePrefill(
  input: EngineRowInput,
  seqLen: number,
  kvCacheRate: number,
  tp: number,
  dp: number,
): { columns: EpPrefillColumns; stepMs: number; result: StepResult } {
  const cachedTokens = Math.round(seqLen * kvCacheRate);
  const result = simulateStep({
    model: input.model,
    hardware: input.hardware,
    parallel: { tp, dp, ep: input.model.moe ? tp * dp : 1 },
    workload: { prefill: { sequences: 1, newTokens: seqLen - cachedTokens, cachedTokens }, decode: null },
    overlap: input.overlap,
    ignoreMemory: true,
    ...(input.predictor ? { predictor: input.predictor } : {}),
  });
  const dense = layerColumns(firstOfKind(result, "dense"));
  const sparse = layerColumns(firstOfKind(result, "moe"));
  return {
    columns: {
      mla: dense.attention,
      denseMlp: dense.mlp,
      tpMla: sparse.attention,
      sharedExpert: sparse.shared,
      combine: sparse.combine,
      routedExpert: sparse.routed,
      dispatch: sparse.dispatch,
    },
    stepMs: result.totals?.latencyMs ?? Number.NaN,
    result,
  };
}
