import { BYTES_PER_ELEMENT, type Dtype } from "../dtype.ts";
import type { Op } from "./types.ts";

/**
 * RMSNorm/LayerNorm over `tokens` rows of `width`: reads the rows and the weight vector, writes the
 * rows; about 4 FLOPs per element (square, sum, scale, weight).
 */
export function norm(name: string, tokens: number, width: number, activationDtype: Dtype): Op {
  const a = BYTES_PER_ELEMENT[activationDtype];
  const weightBytes = width * a;
  return {
    name,
    kind: "elementwise",
    computeDtype: "bf16",
    flops: 4 * tokens * width,
    bytesRead: tokens * width * a + weightBytes,
    bytesWritten: tokens * width * a,
    weightBytes,
    kvCacheBytes: 0,
    comm: null,
    shape: null,
    formula: "4·T·H FLOPs; reads T·H·a + H·a, writes T·H·a",
  };
}

/**
 * Token embedding lookup on a table split `shards` ways by vocabulary: reads the rows of the
 * tokens in this GPU's shard (T/shards on average), writes all T rows (zeros outside the shard,
 * summed by the following all-reduce).
 */
export function embeddingLookup(
  tokens: number,
  hidden: number,
  shards: number,
  weightDtype: Dtype,
  activationDtype: Dtype,
): Op {
  const weightBytes = (tokens / shards) * hidden * BYTES_PER_ELEMENT[weightDtype];
  return {
    name: "embedding",
    kind: "embedding",
    computeDtype: "bf16",
    flops: 0,
    bytesRead: weightBytes,
    bytesWritten: tokens * hidden * BYTES_PER_ELEMENT[activationDtype],
    weightBytes,
    kvCacheBytes: 0,
    comm: null,
    shape: null,
    formula: "gather the shard's rows: reads (T/TP)·H·w, writes T·H·a",
  };
}

/**
 * MLP activation on `tokens` rows of `width` (the per-GPU intermediate size): gated (SiLU(gate)·up)
 * reads both halves and writes one; plain (GELU) reads and writes one. About 4 FLOPs per output.
 */
export function activation(
  name: string,
  tokens: number,
  width: number,
  gated: boolean,
  activationDtype: Dtype,
): Op {
  const a = BYTES_PER_ELEMENT[activationDtype];
  const elements = tokens * width;
  return {
    name,
    kind: "elementwise",
    computeDtype: "bf16",
    flops: 4 * elements,
    bytesRead: (gated ? 2 : 1) * elements * a,
    bytesWritten: elements * a,
    weightBytes: 0,
    kvCacheBytes: 0,
    comm: null,
    shape: null,
    formula: gated ? "4·T·I FLOPs; reads 2·T·I·a, writes T·I·a" : "4·T·I FLOPs; reads T·I·a, writes T·I·a",
  };
}
