import type { GroupSpan } from "../parallel/placement.ts";
import { collectiveTimeSec, type NetworkTiers } from "./alpha-beta.ts";

/** Who runs the TP all-reduces: NCCL, or the serving framework's own kernel (see customAllReduceSec). */
export const ALL_REDUCE_IMPLEMENTATIONS = ["nccl", "custom"] as const;
export type AllReduceImplementation = (typeof ALL_REDUCE_IMPLEMENTATIONS)[number];

/**
 * Why a requested custom all-reduce runs on NCCL instead, or null when it can run: the frameworks'
 * peer-memory kernels stay inside one scale-up domain, so a TP group spanning more uses NCCL.
 */
export function customAllReduceFallback(
  requested: AllReduceImplementation,
  tpDomains: number,
): string | null {
  if (requested !== "custom" || tpDomains <= 1) return null;
  return `custom all-reduce is ignored: the TP group spans ${tpDomains} scale-up domains, so its all-reduces run on NCCL`;
}

/**
 * A framework's custom all-reduce (TensorRT-LLM's, vLLM's, SGLang's) inside one scale-up domain:
 * one shot in which every GPU reads the other m−1 buffers over NVLink peer memory and sums them,
 * so it pays one kernel's fixed latency plus (m−1)·n / B_up. The frameworks hand large messages
 * (or groups that leave the domain) to NCCL, so the time is the cheaper of the two; across domains
 * it is NCCL's.
 */
export function customAllReduceSec(
  bytes: number,
  span: GroupSpan,
  net: NetworkTiers,
  latencySec: number,
): number {
  const nccl = collectiveTimeSec("all-reduce", bytes, span, net);
  if (span.domains > 1 || nccl === 0) return nccl;
  const oneShot = latencySec + ((span.membersPerDomain - 1) * bytes) / net.scaleUpBytesPerSec;
  return Math.min(oneShot, nccl);
}
