/**
 * How a layer's communication overlaps its computation:
 * - "none": ops run back to back;
 * - "full": communication hides entirely behind computation (layer = max of the two sums);
 * - "two-micro-batch": the batch is split in two micro-batches whose compute and communication
 *   interleave (DeepSeek/SGLang two-batch overlap); each micro-batch pays its own weight reads, and
 *   the layer follows the phase schedule of `TwoMicroBatchSchedule`.
 */
export const OVERLAP_POLICIES = ["none", "full", "two-micro-batch"] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** Micro-batches a policy splits the batch into. */
export function microBatchesOf(policy: OverlapPolicy): number {
  return policy === "two-micro-batch" ? 2 : 1;
}

/**
 * Layer time from the summed compute-op time and communication time of one micro-batch, for the
 * policies that need no more than the sums ("none", "full").
 */
export function overlappedMs(
  policy: Exclude<OverlapPolicy, "two-micro-batch">,
  computeOpsMs: number,
  commMs: number,
): number {
  return policy === "none" ? computeOpsMs + commMs : Math.max(computeOpsMs, commMs);
}

/**
 * One phase of the two-micro-batch schedule: `computeMs` of one micro-batch beside a collective of
 * the other taking `commMs` while it occupies `smShare` of the SMs. Compute runs on the remaining
 * SMs until the collective ends, then on all of them: max(comm, compute + share·comm).
 */
export function twoMicroBatchPhaseMs(computeMs: number, commMs: number, smShare: number): number {
  return Math.max(commMs, computeMs + smShare * commMs);
}

/**
 * Two-micro-batch steady state of a layer whose ops are compute segments c_i each followed by a
 * collective x_i (cyclically: the ops after the last collective run, in the next layer, before the
 * first). Micro-batch B runs one phase behind A on one compute and one communication stream, as in
 * DeepSeek's published inference profiles (github.com/deepseek-ai/profile-data) and SGLang's
 * two-batch overlap: phase 2i is c_i(A) beside x_{i-1}(B), phase 2i+1 is c_i(B) beside x_i(A), so
 * the layer takes Σ_i phase(c_i, x_{i-1}) + phase(c_i, x_i). With one collective and no SM share
 * this is 2·max(c, x). It is never below 2·Σc or 2·Σx, never above 2·(Σc + Σx), and exceeds the
 * ideal max(2·Σc, 2·Σx) when segments and collectives are unbalanced.
 * Usage: `add` each op in order, then `layerMs`.
 */
export class TwoMicroBatchSchedule {
  private segmentMs = 0;
  private leadingMs = 0;
  private firstCommMs = 0;
  private firstShare = 0;
  private previousCommMs = 0;
  private previousShare = 0;
  private collectives = 0;
  private phasesMs = 0;

  addCompute(ms: number): void {
    this.segmentMs += ms;
  }

  addCollective(commMs: number, smShare: number): void {
    if (this.collectives === 0) {
      this.leadingMs = this.segmentMs;
      this.firstCommMs = commMs;
      this.firstShare = smShare;
    } else {
      this.phasesMs +=
        twoMicroBatchPhaseMs(this.segmentMs, this.previousCommMs, this.previousShare) +
        twoMicroBatchPhaseMs(this.segmentMs, commMs, smShare);
    }
    this.previousCommMs = commMs;
    this.previousShare = smShare;
    this.segmentMs = 0;
    this.collectives++;
  }

  /** Both micro-batches through the layer, ms. */
  layerMs(): number {
    if (this.collectives === 0) return 2 * this.segmentMs;
    const wrapped = this.leadingMs + this.segmentMs;
    return (
      this.phasesMs +
      twoMicroBatchPhaseMs(wrapped, this.previousCommMs, this.previousShare) +
      twoMicroBatchPhaseMs(wrapped, this.firstCommMs, this.firstShare)
    );
  }
}
