import { familyVariant } from "../predictor/features.ts";
import type { BlockCost } from "./evaluate.ts";
import type { BlockKind, LayerExecution, OpRecord } from "./result.ts";

/** Flattened op records of a block (build once and share among layers with the same cost). */
export function opRecords(cost: BlockCost): readonly OpRecord[] {
  return cost.ops.map(({ op, timing }): OpRecord => {
    const bytes = op.bytesRead + op.bytesWritten;
    return {
      name: op.name,
      kind: op.kind,
      computeDtype: op.computeDtype,
      flops: op.flops,
      bytesRead: op.bytesRead,
      bytesWritten: op.bytesWritten,
      weightBytes: op.weightBytes,
      kvCacheBytes: op.kvCacheBytes,
      arithmeticIntensity: bytes > 0 ? op.flops / bytes : 0,
      commBytes: op.comm?.bytes ?? 0,
      collective: op.comm?.collective ?? null,
      groupSize: op.comm?.span.size ?? 1,
      commDomains: op.comm?.span.domains ?? 1,
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
  });
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
