import type { GroupSpan } from "../parallel/placement.ts";

export const COLLECTIVES = ["all-reduce", "all-gather", "reduce-scatter", "all-to-all", "send-recv"] as const;
export type CollectiveKind = (typeof COLLECTIVES)[number];

/**
 * Who runs a collective: NCCL (rings, tree, NVLS), DeepEP's expert all-to-all kernels in their
 * normal (bandwidth) or low-latency mode, or an inference framework's custom all-reduce
 * (TensorRT-LLM's, vLLM's, SGLang's: peer-memory kernels inside one scale-up domain).
 */
export const COLLECTIVE_IMPLEMENTATIONS = ["nccl", "deepep-normal", "deepep-low-latency", "custom"] as const;
export type CollectiveImplementation = (typeof COLLECTIVE_IMPLEMENTATIONS)[number];

/**
 * One NCCL protocol's cost constants: a fixed latency per collective, a latency per ring step on
 * each network tier, and the fraction of link bandwidth the protocol delivers (NCCL gives LL a
 * different fraction for all-reduce or multi-node collectives than for single-node ones).
 */
export interface ProtocolCost {
  readonly name: string;
  readonly baseLatencySec: number;
  readonly scaleUpHopSec: number;
  readonly scaleOutHopSec: number;
  /** Bandwidth fraction for all-reduce and for any collective spanning scale-up domains. */
  readonly bandwidthFactor: number;
  /** Bandwidth fraction for other collectives inside one scale-up domain. */
  readonly singleDomainBandwidthFactor: number;
}

/**
 * NCCL's ring cost model constants (NVIDIA/nccl src/graph/tuning.cc @b647562: baseLat Ring
 * {LL 6.6, LL128 14.0, Simple 8.4} µs; hwLat NVLink Ring {0.6, 1.9, 3.4} µs, NET Ring
 * {2.7, 4.0, 14.0} µs; bus bandwidth x1/4 for LL all-reduce or multi-node, x1/3 for other LL
 * single-node collectives, x0.92 (120/128) for LL128). NCCL's llMaxBw cap on LL bandwidth is not
 * applied: it only binds where LL already loses to LL128 or Simple.
 */
export const NCCL_PROTOCOLS: readonly ProtocolCost[] = [
  {
    name: "LL",
    baseLatencySec: 6.6e-6,
    scaleUpHopSec: 0.6e-6,
    scaleOutHopSec: 2.7e-6,
    bandwidthFactor: 1 / 4,
    singleDomainBandwidthFactor: 1 / 3,
  },
  {
    name: "LL128",
    baseLatencySec: 14.0e-6,
    scaleUpHopSec: 1.9e-6,
    scaleOutHopSec: 4.0e-6,
    bandwidthFactor: 0.92,
    singleDomainBandwidthFactor: 0.92,
  },
  {
    name: "Simple",
    baseLatencySec: 8.4e-6,
    scaleUpHopSec: 3.4e-6,
    scaleOutHopSec: 14.0e-6,
    bandwidthFactor: 1,
    singleDomainBandwidthFactor: 1,
  },
];

/**
 * Bytes an all-to-all moves per GPU over each tier, when they differ from the uniform split
 * (e.g. DeepEP's normal kernels send a token once per destination node and fan out over NVLink).
 */
export interface AllToAllSplit {
  readonly scaleUpBytes: number;
  readonly scaleOutBytes: number;
}

/** Achievable per-GPU, one-direction bandwidths of the two network tiers and the protocols in use. */
export interface NetworkTiers {
  readonly scaleUpBytesPerSec: number;
  readonly scaleOutBytesPerSec: number;
  readonly protocols: readonly ProtocolCost[];
}

/**
 * Bytes an all-to-all moves per GPU on each tier: the given split, or the uniform one (the share
 * for the other members of the domain on NVLink, for the other domains on the NIC).
 */
function allToAllTierBytes(bytes: number, span: GroupSpan, split: AllToAllSplit | null): AllToAllSplit {
  if (split) return split;
  const g = span.size;
  const m = span.membersPerDomain;
  return {
    scaleUpBytes: m > 1 ? (bytes * (m - 1)) / g : 0,
    scaleOutBytes: span.domains > 1 ? (bytes * (g - m)) / g : 0,
  };
}

/**
 * Alpha-beta time of a collective, hierarchical over scale-up domains, taking the fastest protocol
 * as NCCL's tuner does. Per protocol p: base_p + (up steps)·hopUp_p + (out steps)·hopOut_p +
 * transfer / factor_p, where, with m members per domain over d domains:
 * - all-reduce: transfer 2(m-1)/m · n/B_up + 2(d-1)/d · (n/m)/B_out; steps 2(m-1), 2(d-1)
 * - all-gather, reduce-scatter: (m-1)/m · n/B_up + (d-1)/d · (n/m)/B_out; steps m-1, d-1
 * - all-to-all: max(n(m-1)/g / B_up, n(g-m)/g / B_out), or the given split; one step on the
 *   slowest tier used
 * - send-recv: n / B of the tier; one step.
 * `bytes` is per GPU: the buffer reduced (all-reduce), the whole gathered output (all-gather) or
 * input (reduce-scatter), everything held for all destinations including itself (all-to-all, sent
 * uniformly), or the message (send-recv). (Thakur, Rabenseifner, Gropp, IJHPCA 2005.)
 */
export function collectiveTimeSec(
  kind: CollectiveKind,
  bytes: number,
  span: GroupSpan,
  net: NetworkTiers,
  split: AllToAllSplit | null = null,
): number {
  const g = span.size;
  if (bytes <= 0 || (g <= 1 && kind !== "send-recv")) return 0;
  const m = span.membersPerDomain;
  const d = span.domains;
  const up = net.scaleUpBytesPerSec;
  const out = net.scaleOutBytesPerSec;
  let transferSec: number;
  let upSteps = 0;
  let outSteps = 0;
  switch (kind) {
    case "all-reduce":
      transferSec =
        (m > 1 ? (2 * (m - 1) * bytes) / m / up : 0) + (d > 1 ? (2 * (d - 1) * bytes) / d / m / out : 0);
      upSteps = 2 * (m - 1);
      outSteps = 2 * (d - 1);
      break;
    case "all-gather":
    case "reduce-scatter":
      transferSec = (m > 1 ? ((m - 1) * bytes) / m / up : 0) + (d > 1 ? ((d - 1) * bytes) / d / m / out : 0);
      upSteps = m - 1;
      outSteps = d - 1;
      break;
    case "all-to-all": {
      const { scaleUpBytes: upBytes, scaleOutBytes: outBytes } = allToAllTierBytes(bytes, span, split);
      transferSec = Math.max(upBytes > 0 ? upBytes / up : 0, outBytes > 0 ? outBytes / out : 0);
      if (d > 1) outSteps = 1;
      else upSteps = 1;
      break;
    }
    case "send-recv":
      transferSec = d > 1 ? bytes / out : bytes / up;
      if (d > 1) outSteps = 1;
      else upSteps = 1;
      break;
  }
  const multiDomain = kind === "all-reduce" || d > 1;
  let best = Number.POSITIVE_INFINITY;
  for (const p of net.protocols) {
    const factor = multiDomain ? p.bandwidthFactor : p.singleDomainBandwidthFactor;
    const sec =
      p.baseLatencySec + upSteps * p.scaleUpHopSec + outSteps * p.scaleOutHopSec + transferSec / factor;
    if (sec < best) best = sec;
  }
  return best;
}

/** A protocol with no latency and the whole link bandwidth: the pure transfer time. */
export const IDEAL_PROTOCOL: readonly ProtocolCost[] = [
  {
    name: "ideal",
    baseLatencySec: 0,
    scaleUpHopSec: 0,
    scaleOutHopSec: 0,
    bandwidthFactor: 1,
    singleDomainBandwidthFactor: 1,
  },
];

/**
 * Transfer time of a collective at the links' full datasheet bandwidths with no latency: the
 * "100% of peak" time that measured collectives are scored against, like FLOPs at peak for kernels.
 */
export function idealCollectiveSec(
  kind: CollectiveKind,
  bytes: number,
  span: GroupSpan,
  scaleUpBytesPerSec: number,
  scaleOutBytesPerSec: number,
  split: AllToAllSplit | null = null,
): number {
  const net = { scaleUpBytesPerSec, scaleOutBytesPerSec, protocols: IDEAL_PROTOCOL };
  return collectiveTimeSec(kind, bytes, span, net, split);
}
