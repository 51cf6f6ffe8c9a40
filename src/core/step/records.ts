import { familyVariant } from "../predictor/features.ts";
import type { BlockCost } from "./evaluate.ts";
import type { BlockKind, LayerExecution, OpRecord } from "./result.ts";

/** "layer <i>" for each decoder layer index, built once: a step names up to hundreds of layers. */
const LAYER_NAMES: string[] = [];
export function layerName(index: number): string {
  for (let i = LAYER_NAMES.length; i <= index; i++) LAYER_NAMES.push(`layer ${i}`);
  return LAYER_NAMES[index] as string;
}

/** Flattened op records of a block (build once and share among layers with the same cost). */
export function opRecords(cost: BlockCost): readonly OpRecord[] {
  const executions = cost.ops;
  const records = new Array<OpRecord>(executions.length);
  for (let i = 0; i < executions.length; i++) {
    const { op, timing } = executions[i] as BlockCost["ops"][number];
    const bytes = op.bytesRead + op.bytesWritten;
    const comm = op.comm;
    records[i] = {
      name: op.name,
      kind: op.kind,
      computeDtype: op.computeDtype,
      flops: op.flops,
      bytesRead: op.bytesRead,
      bytesWritten: op.bytesWritten,
      weightBytes: op.weightBytes,
      kvCacheBytes: op.kvCacheBytes,
      arithmeticIntensity: bytes > 0 ? op.flops / bytes : 0,
      commBytes: comm === null ? 0 : comm.bytes,
      collective: comm === null ? null : comm.collective,
      groupSize: comm === null ? 1 : comm.span.size,
      commDomains: comm === null ? 1 : comm.span.domains,
      shape: op.shape,
      attention: op.attention ?? null,
      familyVariant: familyVariant(op),
      computeMs: timing.computeMs,
      memoryMs: timing.memoryMs,
      commMs: timing.commMs,
      ms: timing.ms,
      bound: timing.bound,
      source: timing.source,
      inEnvelope: timing.inEnvelope,
      formula: op.formula,
    };
  }
  return records;
}

/** One LayerExecution record from a block's cost and its op records. */
export function toLayerExecution(
  layer: number,
  name: string,
  kind: BlockKind,
  stage: number,
  cost: BlockCost,
  ops: readonly OpRecord[] = opRecords(cost),
): LayerExecution {
  return {
    layer,
    name,
    kind,
    stage,
    flops: cost.flops,
    bytesRead: cost.bytesRead,
    bytesWritten: cost.bytesWritten,
    commBytes: cost.commBytes,
    computeMs: cost.computeMs,
    memoryMs: cost.memoryMs,
    commMs: cost.commMs,
    dominantMs: cost.dominantMs,
    exposedCommMs: cost.exposedCommMs,
    bound: cost.bound,
    microBatches: cost.microBatches,
    ops,
  };
}
