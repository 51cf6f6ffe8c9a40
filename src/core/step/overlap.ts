/**
 * How a layer's communication overlaps its computation:
 * - "none": ops run back to back;
 * - "full": communication hides entirely behind computation (layer = max of the two sums);
 * - "two-micro-batch": the batch is split in two micro-batches whose compute and communication
 *   interleave (DeepSeek/SGLang two-batch overlap); each micro-batch pays its own weight reads, and
 *   the layer takes max(2·compute, 2·comm) of one micro-batch, steady state.
 */
export const OVERLAP_POLICIES = ["none", "full", "two-micro-batch"] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** Micro-batches a policy splits the batch into. */
export function microBatchesOf(policy: OverlapPolicy): number {
  return policy === "two-micro-batch" ? 2 : 1;
}

/** Layer time from the summed compute-op time and communication time of one micro-batch. */
export function overlappedMs(policy: OverlapPolicy, computeOpsMs: number, commMs: number): number {
  switch (policy) {
    case "none":
      return computeOpsMs + commMs;
    case "full":
      return Math.max(computeOpsMs, commMs);
    case "two-micro-batch":
      return 2 * Math.max(computeOpsMs, commMs);
  }
}
