import { probabilityHit } from "../collectives/deepep.ts";

/**
 * The bytes DeepEP's own tests count when they report a dispatch or combine "bandwidth"
 * (deepseek-ai/DeepEP tests/test_intranode.py and tests/test_internode.py): every token counted
 * once per destination it reaches — per destination rank over NVLink within a node, per
 * destination node over RDMA across nodes — its own rank or node included, at the wire format's
 * bytes per channel (FP8: 1 byte plus a 4-byte scale per 128 channels). Destinations are the
 * expected ones under the engine's uniform top-k routing (no node-limited routing).
 */
export interface DeepEpShape {
  /** Tokens per rank. */
  readonly tokens: number;
  readonly hidden: number;
  readonly topK: number;
  readonly experts: number;
  /** EP ranks and ranks per node. */
  readonly ranks: number;
  readonly ranksPerNode: number;
  /** Bytes per channel on the wire, scales included. */
  readonly bytesPerChannel: number;
}

/** Bytes a rank moves on its bottleneck path as DeepEP counts them (NVLink within one node, else RDMA). */
export function deepEpCountedBytes(shape: DeepEpShape): number {
  const { tokens, hidden, topK, experts, ranks, ranksPerNode, bytesPerChannel } = shape;
  const nodes = Math.ceil(ranks / ranksPerNode);
  if (nodes <= 1) {
    // Tokens this rank receives: from each of the node's ranks, those that picked one of its experts.
    const received = ranks * tokens * probabilityHit(experts, experts / ranks, topK);
    return received * hidden * bytesPerChannel;
  }
  const destinationNodes = nodes * probabilityHit(experts, experts / nodes, topK);
  return tokens * destinationNodes * hidden * bytesPerChannel;
}
