import type { HardwareSpec } from "../hardware/types.ts";
import type { Op } from "../ops/types.ts";
import type { Bound, OpTiming, Predictor } from "../predictor/types.ts";
import { microBatchesOf, type OverlapPolicy, overlappedMs, TwoMicroBatchSchedule } from "./overlap.ts";

/** An op with its predicted timing. */
export interface OpExecution {
  readonly op: Op;
  readonly timing: OpTiming;
}

/** Cost of a group of ops (one layer, the embedding or the head) for one GPU. */
export interface BlockCost {
  readonly ops: readonly OpExecution[];
  /** Micro-batches the ops are repeated for (2 under two-micro-batch overlap). */
  readonly microBatches: number;
  readonly flops: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly commBytes: number;
  /** Σ of the compute ops' compute-roof times. */
  readonly computeMs: number;
  /** Σ of the compute ops' memory-roof times. */
  readonly memoryMs: number;
  /** Σ of the collectives' times. */
  readonly commMs: number;
  /** Block time after overlap. */
  readonly dominantMs: number;
  /** Communication time not hidden by computation. */
  readonly exposedCommMs: number;
  readonly bound: Bound;
}

/**
 * Predicts each op and rolls them up under an overlap policy. Ops describe one micro-batch; totals
 * cover all micro-batches.
 */
export function costBlock(
  ops: readonly Op[],
  hardware: HardwareSpec,
  predictor: Predictor,
  policy: OverlapPolicy,
): BlockCost {
  const microBatches = microBatchesOf(policy);
  const executions: OpExecution[] = new Array(ops.length);
  let flops = 0;
  let bytesRead = 0;
  let bytesWritten = 0;
  let commBytes = 0;
  let computeMs = 0;
  let memoryMs = 0;
  let commMs = 0;
  let computeOpsMs = 0;
  let computeBoundMs = 0;
  let memoryBoundMs = 0;
  const schedule = new TwoMicroBatchSchedule();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as Op;
    const timing = predictor.predict(op, hardware);
    executions[i] = { op, timing };
    flops += op.flops;
    bytesRead += op.bytesRead;
    bytesWritten += op.bytesWritten;
    computeMs += timing.computeMs;
    memoryMs += timing.memoryMs;
    if (op.comm !== null) {
      commBytes += op.comm.bytes;
      commMs += timing.commMs;
      schedule.addCollective(timing.commMs, op.comm.smShare);
    } else {
      computeOpsMs += timing.ms;
      schedule.addCompute(timing.ms);
      if (timing.bound === "compute") computeBoundMs += timing.ms;
      else memoryBoundMs += timing.ms;
    }
  }
  const dominantMs =
    policy === "two-micro-batch" ? schedule.layerMs() : overlappedMs(policy, computeOpsMs, commMs);
  // Below a part in 1e12 of the layer the difference is rounding in the phase sums, not exposure.
  const exposedMs = dominantMs - microBatches * computeOpsMs;
  const exposedCommMs = exposedMs > 1e-12 * dominantMs ? exposedMs : 0;
  const bound: Bound =
    exposedCommMs > microBatches * Math.max(computeBoundMs, memoryBoundMs)
      ? "comm"
      : computeBoundMs >= memoryBoundMs
        ? "compute"
        : "memory";
  return {
    ops: executions,
    microBatches,
    flops: flops * microBatches,
    bytesRead: bytesRead * microBatches,
    bytesWritten: bytesWritten * microBatches,
    commBytes: commBytes * microBatches,
    computeMs: computeMs * microBatches,
    memoryMs: memoryMs * microBatches,
    commMs: commMs * microBatches,
    dominantMs,
    exposedCommMs,
    bound,
  };
}
