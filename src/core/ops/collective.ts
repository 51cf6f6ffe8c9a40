import type { AllToAllSplit, CollectiveImplementation, CollectiveKind } from "../collectives/alpha-beta.ts";
import type { GroupSpan } from "../parallel/placement.ts";
import type { Op } from "./types.ts";

/** A communication op: no FLOPs or HBM traffic counted, only the collective's payload. */
export function collectiveOp(
  name: string,
  collective: CollectiveKind,
  bytes: number,
  span: GroupSpan,
  formula: string,
  split: AllToAllSplit | null = null,
  smShare = 0,
  implementation: CollectiveImplementation = "nccl",
): Op {
  return {
    name,
    kind: "collective",
    computeDtype: "bf16",
    flops: 0,
    bytesRead: 0,
    bytesWritten: 0,
    weightBytes: 0,
    kvCacheBytes: 0,
    comm: { collective, bytes, span, split, smShare, implementation },
    shape: null,
    formula,
  };
}
