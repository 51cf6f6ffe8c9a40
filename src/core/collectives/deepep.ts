import type { GroupSpan } from "../parallel/placement.ts";
import type { AllToAllSplit, NetworkTiers } from "./alpha-beta.ts";

/** P(a token's top-k, drawn uniformly without replacement from `experts`, hits a set of `hit`). */
export function probabilityHit(experts: number, hit: number, topK: number): number {
  let miss = 1;
  for (let i = 0; i < topK; i++) miss *= Math.max(0, experts - hit - i) / (experts - i);
  return 1 - miss;
}

/** Wire bytes per channel: FP8 carries one float32 scale per 128 channels (DeepEP's FP8 dispatch). */
export function deepEpBytesPerChannel(elementBytes: number): number {
  return elementBytes === 1 ? 1 + 4 / 128 : elementBytes;
}

/** What one MoE layer's dispatch or combine sends from each GPU. */
export interface ExpertAllToAllShape {
  /** Tokens each GPU sends (its share of its group's tokens). */
  readonly tokensPerRank: number;
  readonly hidden: number;
  readonly topK: number;
  readonly experts: number;
  /**
   * EP ranks the experts are spread over: each of the span's GPUs holds shards of experts / ep of
   * them on average (with redundant replicas, the mean load of its slots).
   */
  readonly ep: number;
  /** Shards each expert is split into, in one scale-up domain (every shard receives the token). */
  readonly expertTp: number;
  /** Busiest rank's traffic over the mean. */
  readonly imbalance: number;
  /** Bytes per element of the payload (FP8 dispatch: 1, BF16: 2). */
  readonly elementBytes: number;
}

/**
 * Per-GPU bytes of DeepEP's normal kernels on each tier (deepseek-ai/DeepEP, intranode.cu and
 * internode.cu). A token goes once to each destination rank that holds one of its top-k experts —
 * not once per expert — in the wire format (FP8 with its scales). Over NVLink a GPU receives, from
 * every GPU of the group, the tokens that picked one of its experts: g·T·P(hit its experts), its
 * own counted the way DeepEP's tests count their "NVL" bandwidth, which is the convention the
 * scale-up efficiency is taken in (DeepEP's 153 GB/s on H800, anchors.csv). Across domains a token
 * crosses the NIC once per other destination domain, (d-1)·P(hit a domain's experts), and is
 * forwarded over NVLink there to every rank, and every shard, that needs it; the own domain is not
 * counted on the NIC (DeepEP's RDMA figure counts it: the scale-out efficiency comes from the
 * low-latency combine instead). An expert's shards share a domain. Uniform routing, exact top-k
 * without replacement.
 */
export function normalAllToAllSplit(shape: ExpertAllToAllShape, span: GroupSpan): AllToAllSplit {
  const { tokensPerRank, hidden, topK, experts, ep, imbalance, elementBytes } = shape;
  const row = tokensPerRank * hidden * deepEpBytesPerChannel(elementBytes) * imbalance;
  const d = span.domains;
  return {
    scaleUpBytes:
      span.membersPerDomain > 1 ? span.size * row * probabilityHit(experts, experts / ep, topK) : 0,
    scaleOutBytes: d > 1 ? row * (d - 1) * probabilityHit(experts, experts / d, topK) : 0,
  };
}

/**
 * Time of a DeepEP normal-mode dispatch or combine: its fixed cost (launch, layout and the
 * handshake that sizes the receive buffers, the same whatever the payload) plus the slower tier's
 * transfer of its split at the achievable bandwidths. NCCL's protocol constants do not apply.
 */
export function normalAllToAllSec(split: AllToAllSplit, net: NetworkTiers, latencySec: number): number {
  const { scaleUpBytes, scaleOutBytes } = split;
  if (scaleUpBytes === 0 && scaleOutBytes === 0) return 0;
  // A tier that carries nothing costs nothing, even without a bandwidth figure; NaN stays NaN.
  const up = scaleUpBytes === 0 ? 0 : scaleUpBytes / net.scaleUpBytesPerSec;
  const out = scaleOutBytes === 0 ? 0 : scaleOutBytes / net.scaleOutBytesPerSec;
  return latencySec + Math.max(up, out);
}
