import { BYTES_PER_ELEMENT, type Dtype } from "../dtype.ts";
import type { Op } from "./types.ts";

/**
 * Query-key pairs of causal attention for `newTokens` queries after `cachedTokens` cached ones,
 * each query seeing at most `window` keys (itself included): Σ_i min(P+i+1, W).
 *
 * @example
 * causalPairs(4, 0, null); // 10 = 1+2+3+4
 */
export function causalPairs(newTokens: number, cachedTokens: number, window: number | null): number {
  const s = newTokens;
  const p = cachedTokens;
  if (window === null || window >= p + s) return s * p + (s * (s + 1)) / 2;
  const belowWindow = Math.min(s, Math.max(0, window - p - 1));
  return belowWindow * (p + 1) + (belowWindow * (belowWindow - 1)) / 2 + (s - belowWindow) * window;
}

/** Cached prefix entries a windowed attention still reads. */
export function prefixRead(cachedTokens: number, window: number | null): number {
  return window === null ? cachedTokens : Math.min(cachedTokens, Math.max(0, window - 1));
}

export interface GqaAttentionArgs {
  readonly sequences: number;
  /** Query heads and KV heads on this GPU. */
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly window: number | null;
  readonly kvDtype: Dtype;
  readonly activationDtype: Dtype;
  readonly computeDtype: Dtype;
}

/**
 * Causal prefill attention (FlashAttention style, no S×S matrix in HBM) for `newTokens` per
 * sequence after `cachedTokens`: 4·h·d FLOPs per query-key pair (QKᵀ and PV); reads Q, the cached
 * prefix and new K/V once; writes O and the new K/V entries to the cache.
 */
export function gqaPrefillAttention(args: GqaAttentionArgs, newTokens: number, cachedTokens: number): Op {
  const a = BYTES_PER_ELEMENT[args.activationDtype];
  const kvEntry = 2 * args.kvHeads * args.headDim * BYTES_PER_ELEMENT[args.kvDtype];
  const qo = args.sequences * newTokens * args.heads * args.headDim * a;
  const kvRead = args.sequences * (prefixRead(cachedTokens, args.window) + newTokens) * kvEntry;
  const kvWrite = args.sequences * newTokens * kvEntry;
  return {
    name: "attention_prefill",
    kind: "attention",
    computeDtype: args.computeDtype,
    flops: 4 * args.heads * args.headDim * args.sequences * causalPairs(newTokens, cachedTokens, args.window),
    bytesRead: qo + kvRead,
    bytesWritten: qo + kvWrite,
    weightBytes: 0,
    kvCacheBytes: kvRead + kvWrite,
    comm: null,
    shape: null,
    formula: "4·h·d·B·Σmin(P+i+1,W) FLOPs; reads Q + (P+S)·2·h_kv·d·kv per seq, writes O + S·2·h_kv·d·kv",
    attention: {
      sequences: args.sequences,
      queryTokens: newTokens,
      contextTokens: prefixRead(cachedTokens, args.window) + newTokens,
      heads: args.heads,
      kvHeads: args.kvHeads,
      headDim: args.headDim,
      kvDtype: args.kvDtype,
    },
  };
}

/**
 * Decode attention: each sequence's new token attends `contextTokens` keys (itself included):
 * 4·h·d·C FLOPs per sequence; reads C KV entries, writes one.
 */
export function gqaDecodeAttention(args: GqaAttentionArgs, contextTokens: number): Op {
  const a = BYTES_PER_ELEMENT[args.activationDtype];
  const kvEntry = 2 * args.kvHeads * args.headDim * BYTES_PER_ELEMENT[args.kvDtype];
  const keys = args.window === null ? contextTokens : Math.min(contextTokens, args.window);
  const qo = args.sequences * args.heads * args.headDim * a;
  const kvRead = args.sequences * keys * kvEntry;
  const kvWrite = args.sequences * kvEntry;
  return {
    name: "attention_decode",
    kind: "attention",
    computeDtype: args.computeDtype,
    flops: 4 * args.heads * args.headDim * args.sequences * keys,
    bytesRead: qo + kvRead,
    bytesWritten: qo + kvWrite,
    weightBytes: 0,
    kvCacheBytes: kvRead + kvWrite,
    comm: null,
    shape: null,
    formula: "4·h·d·B·min(C,W) FLOPs; reads B·min(C,W)·2·h_kv·d·kv + Q, writes B·2·h_kv·d·kv + O",
    attention: {
      sequences: args.sequences,
      queryTokens: 1,
      contextTokens: keys,
      heads: args.heads,
      kvHeads: args.kvHeads,
      headDim: args.headDim,
      kvDtype: args.kvDtype,
    },
  };
}
