import { BYTES_PER_ELEMENT, type Dtype, type WeightBlockSize, weightBlockOf } from "../dtype.ts";
import { causalPairs } from "./attention.ts";
import { gemm } from "./gemm.ts";
import type { Op } from "./types.ts";

/** MLA shapes on one GPU (heads already divided by TP). Symbols: h heads, Dc kv_lora_rank, dr rope dim. */
export interface MlaArgs {
  readonly sequences: number;
  readonly heads: number;
  readonly kvLoraRank: number;
  readonly qkNopeHeadDim: number;
  readonly qkRopeHeadDim: number;
  readonly vHeadDim: number;
  readonly kvDtype: Dtype;
  readonly activationDtype: Dtype;
  readonly computeDtype: Dtype;
}

/** Bytes of one latent cache entry: (Dc + dr) elements, shared by every head (DeepSeek-V2 eq. 9-10). */
export function mlaLatentEntryBytes(args: MlaArgs): number {
  return (args.kvLoraRank + args.qkRopeHeadDim) * BYTES_PER_ELEMENT[args.kvDtype];
}

/**
 * Absorbed-form MLA (W_UK folded into the query, W_UV applied after): attention runs in the latent
 * space, MQA-like over one shared (Dc + dr) entry per token. Per query-key pair and head:
 * 2·(Dc + dr) FLOPs for the score and 2·Dc for the weighted sum. Per sequence: `queries` new tokens,
 * `pairs` query-key pairs and `keysRead` latent entries read (decode: 1, C, C).
 */
export function mlaAbsorbedAttention(
  args: MlaArgs,
  queries: number,
  pairs: number,
  keysRead: number,
  name: string,
): Op {
  const a = BYTES_PER_ELEMENT[args.activationDtype];
  const entry = mlaLatentEntryBytes(args);
  const kvRead = args.sequences * keysRead * entry;
  const kvWrite = args.sequences * queries * entry;
  const rows = args.sequences * queries * args.heads;
  return {
    name,
    kind: "attention",
    computeDtype: args.computeDtype,
    flops: 2 * args.sequences * args.heads * pairs * (2 * args.kvLoraRank + args.qkRopeHeadDim),
    bytesRead: kvRead + rows * (args.kvLoraRank + args.qkRopeHeadDim) * a,
    bytesWritten: kvWrite + rows * args.kvLoraRank * a,
    weightBytes: 0,
    kvCacheBytes: kvRead + kvWrite,
    comm: null,
    shape: null,
    formula: "2·B·h·pairs·(2·Dc+dr) FLOPs; reads B·keys·(Dc+dr)·kv, writes the new latents",
    // For predictors indexing measured kernels: MQA-like, one (Dc + dr)-wide entry for all heads.
    attention: {
      sequences: args.sequences,
      queryTokens: queries,
      contextTokens: keysRead,
      heads: args.heads,
      kvHeads: 1,
      headDim: args.kvLoraRank + args.qkRopeHeadDim,
      kvDtype: args.kvDtype,
    },
    latentKvDtype: args.kvDtype,
  };
}

/**
 * Non-absorbed MLA prefill: keys and values are first up-projected from the latent cache (see
 * mlaKvUpProjection), then ordinary causal attention with qk dim (d_nope + dr) and v dim d_v:
 * 2·h·pairs·(d_nope + dr + d_v) FLOPs. Writes the new latent entries to the cache.
 */
export function mlaPrefillAttention(
  args: MlaArgs,
  newTokens: number,
  cachedTokens: number,
  name: string,
): Op {
  const a = BYTES_PER_ELEMENT[args.activationDtype];
  const qkDim = args.qkNopeHeadDim + args.qkRopeHeadDim;
  const keys = args.sequences * (cachedTokens + newTokens);
  const queries = args.sequences * newTokens;
  const kvWrite = queries * mlaLatentEntryBytes(args);
  return {
    name,
    kind: "attention",
    computeDtype: args.computeDtype,
    flops:
      2 * args.heads * args.sequences * causalPairs(newTokens, cachedTokens, null) * (qkDim + args.vHeadDim),
    bytesRead:
      queries * args.heads * qkDim * a +
      keys * (args.heads * (args.qkNopeHeadDim + args.vHeadDim) + args.qkRopeHeadDim) * a,
    bytesWritten: queries * args.heads * args.vHeadDim * a + kvWrite,
    weightBytes: 0,
    kvCacheBytes: kvWrite,
    comm: null,
    shape: null,
    formula: "2·h·B·Σ(P+i+1)·(d_nope+dr+d_v) FLOPs; reads Q, K, V of P+S tokens; writes O + S·(Dc+dr)·kv",
    // For predictors indexing measured kernels: multi-head, qk head dim d_nope + dr.
    attention: {
      sequences: args.sequences,
      queryTokens: newTokens,
      contextTokens: cachedTokens + newTokens,
      heads: args.heads,
      kvHeads: args.heads,
      headDim: qkDim,
      kvDtype: args.kvDtype,
    },
    latentKvDtype: args.kvDtype,
  };
}

/**
 * W_UKV up-projection of the latent of all P + S context tokens (cached prefix read from the KV
 * cache): GEMM with M = B·(P+S), K = Dc, N = h·(d_nope + d_v).
 */
export function mlaKvUpProjection(
  args: MlaArgs,
  newTokens: number,
  cachedTokens: number,
  weightDtype: Dtype,
  computeDtype: Dtype,
  name: string,
  weightBlockSize: WeightBlockSize | null = null,
): Op {
  const a = BYTES_PER_ELEMENT[args.activationDtype];
  const m = args.sequences * (cachedTokens + newTokens);
  const n = args.heads * (args.qkNopeHeadDim + args.vHeadDim);
  const k = args.kvLoraRank;
  const weightBytes = k * n * BYTES_PER_ELEMENT[weightDtype];
  const prefixBytes = args.sequences * cachedTokens * mlaLatentEntryBytes(args);
  return {
    name,
    kind: "gemm",
    computeDtype,
    flops: 2 * m * n * k,
    bytesRead: weightBytes + args.sequences * newTokens * k * a + prefixBytes,
    bytesWritten: m * n * a,
    weightBytes,
    kvCacheBytes: prefixBytes,
    comm: null,
    shape: { m, n, k },
    formula: "2·B·(P+S)·Dc·h·(d_nope+d_v) FLOPs; reads W_UKV + S new latents + P cached latents",
    weightDtype,
    weightBlockSize: weightBlockOf(weightDtype, weightBlockSize),
  };
}

/**
 * The names of the engine's batched GEMMs (absorbed MLA's per-head BMMs, prefill and decode): a
 * measurement of one of them without a batch is not a kernel the engine builds.
 */
export const MLA_BMM_OP_NAMES: ReadonlySet<string> = new Set([
  "q_absorb_prefill",
  "q_absorb_decode",
  "v_up_prefill",
  "v_up_decode",
]);

/** The weight formats of the absorbed form's per-head BMMs (the checkpoint's, as its other GEMMs). */
export interface MlaBmmFormats {
  readonly weightDtype: Dtype;
  readonly computeDtype: Dtype;
  readonly weightBlockSize: WeightBlockSize | null;
}

/**
 * Absorbed MLA's query-side BMM: each head's no-rope query times its W_UK slice, one batched kernel
 * over the heads (M = T tokens, K = d_nope, N = Dc per head).
 */
export function mlaQueryAbsorb(args: MlaArgs, tokens: number, formats: MlaBmmFormats, name: string): Op {
  return gemm({
    name,
    m: tokens,
    n: args.kvLoraRank,
    k: args.qkNopeHeadDim,
    batch: args.heads,
    weightDtype: formats.weightDtype,
    activationDtype: args.activationDtype,
    computeDtype: formats.computeDtype,
    weightBlockSize: formats.weightBlockSize,
    formula: "2·T·h·d_nope·Dc (W_UK per head)",
  });
}

/**
 * Absorbed MLA's output-side BMM: each head's latent attention output times its W_UV slice, one
 * batched kernel over the heads (M = T tokens, K = Dc, N = d_v per head).
 */
export function mlaValueUp(args: MlaArgs, tokens: number, formats: MlaBmmFormats, name: string): Op {
  return gemm({
    name,
    m: tokens,
    n: args.vHeadDim,
    k: args.kvLoraRank,
    batch: args.heads,
    weightDtype: formats.weightDtype,
    activationDtype: args.activationDtype,
    computeDtype: formats.computeDtype,
    weightBlockSize: formats.weightBlockSize,
    formula: "2·T·h·Dc·d_v (W_UV per head)",
  });
}
