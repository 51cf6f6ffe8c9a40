import { COLLECTIVE_IMPLEMENTATIONS, COLLECTIVES } from "../collectives/alpha-beta.ts";
import { BYTES_PER_ELEMENT, DTYPES, type Dtype, type WeightBlockSize } from "../dtype.ts";
import type { GemmShape, Op } from "../ops/types.ts";

/**
 * The axes a kernel family's correction grid is indexed on (all log2):
 * - "gemm-shape": M, N, K of a GEMM — tile and wave effects follow the shape;
 * - "batched-gemm-shape": batch, M, N, K of a batched GEMM (one kernel over per-head weights, e.g.
 *   MLA's absorbed W_UK): its tiles spread over the batch too, so a plain GEMM of one slice does
 *   not tell its time;
 * - "grouped-gemm-shape": rows per expert, N, K of a grouped (MoE) GEMM — each expert's tiles fill
 *   with its own rows, so its efficiency follows them rather than the total M;
 * - "attention-shape": sequences, context tokens, heads, head dim and the query:KV head ratio of
 *   an attention kernel (separate families for prefill and decode by op name, and per KV format;
 *   absorbed MLA reads as MQA over one (Dc + dr)-wide latent entry);
 * - "flops-bytes": FLOPs and HBM bytes (attention without a shape: llmsim CSV rows);
 * - "bytes": HBM bytes (norms, activations, embedding: bandwidth-bound streams);
 * - "collective": payload bytes per GPU (or, for an all-to-all with its own tier split, the bytes
 *   on both tiers), group size and scale-up domains spanned (protocol and algorithm switches
 *   follow message size and group).
 */
export const FEATURE_SPACES = [
  "gemm-shape",
  "batched-gemm-shape",
  "grouped-gemm-shape",
  "attention-shape",
  "flops-bytes",
  "bytes",
  "collective",
] as const;
export type FeatureSpace = (typeof FEATURE_SPACES)[number];

export const FEATURE_AXES: Readonly<Record<FeatureSpace, readonly string[]>> = {
  "gemm-shape": ["log2_m", "log2_n", "log2_k"],
  "batched-gemm-shape": ["log2_batch", "log2_m", "log2_n", "log2_k"],
  "grouped-gemm-shape": ["log2_rows_per_expert", "log2_n", "log2_k"],
  "attention-shape": ["log2_sequences", "log2_context", "log2_heads", "log2_head_dim", "log2_gqa_ratio"],
  "flops-bytes": ["log2_flops", "log2_bytes"],
  bytes: ["log2_bytes"],
  collective: ["log2_bytes", "log2_group", "log2_domains"],
};

export function featureSpaceOf(op: Op): FeatureSpace {
  if (op.comm !== null) return "collective";
  if (op.shape !== null && op.kind === "grouped-gemm" && op.rowsPerExpert !== undefined)
    return "grouped-gemm-shape";
  if (op.shape !== null && op.kind === "gemm" && op.shape.batch !== undefined) return "batched-gemm-shape";
  if (op.shape !== null && (op.kind === "gemm" || op.kind === "grouped-gemm")) return "gemm-shape";
  if (op.kind !== "attention") return "bytes";
  return op.attention ? "attention-shape" : "flops-bytes";
}

/**
 * Which of the fields that decide feature spaces the op has, as bits (collective, shape, batch,
 * rows per expert, attention shape): with the op's kind, featureSpaceOf and hasFeatures follow.
 */
export function featureFieldsOf(op: Op): number {
  return (
    (op.comm !== null ? 1 : 0) |
    (op.shape !== null ? 2 : 0) |
    (op.shape?.batch !== undefined ? 4 : 0) |
    (op.rowsPerExpert !== undefined ? 8 : 0) |
    (op.attention !== undefined ? 16 : 0)
  );
}

/** Whether the op has the features of a space (FLOPs and bytes every op has; shapes only some). */
export function hasFeatures(op: Op, space: FeatureSpace): boolean {
  switch (space) {
    case "collective":
      return op.comm !== null;
    case "gemm-shape":
      return op.shape !== null && op.shape.batch === undefined;
    case "batched-gemm-shape":
      return op.shape?.batch !== undefined;
    case "grouped-gemm-shape":
      return op.shape !== null && op.rowsPerExpert !== undefined;
    case "attention-shape":
      return op.attention !== undefined;
    case "flops-bytes":
    case "bytes":
      return true;
  }
}

/** Writes the op's features in its space into `out` (no allocation); values are log2 of positive figures. */
export function writeFeatures(op: Op, space: FeatureSpace, out: Float64Array): void {
  const bytes = Math.max(1, op.bytesRead + op.bytesWritten);
  switch (space) {
    case "gemm-shape": {
      const shape = op.shape as { m: number; n: number; k: number };
      out[0] = Math.log2(Math.max(shape.m, 1e-9));
      out[1] = Math.log2(shape.n);
      out[2] = Math.log2(shape.k);
      return;
    }
    case "batched-gemm-shape": {
      const shape = op.shape as GemmShape;
      out[0] = Math.log2(shape.batch as number);
      out[1] = Math.log2(Math.max(shape.m, 1e-9));
      out[2] = Math.log2(shape.n);
      out[3] = Math.log2(shape.k);
      return;
    }
    case "grouped-gemm-shape": {
      const shape = op.shape as { m: number; n: number; k: number };
      // A family file may pair this space with an op that has no expert count: then all of M.
      out[0] = Math.log2(Math.max(op.rowsPerExpert ?? shape.m, 1e-9));
      out[1] = Math.log2(shape.n);
      out[2] = Math.log2(shape.k);
      return;
    }
    case "attention-shape": {
      const a = op.attention as NonNullable<Op["attention"]>;
      out[0] = Math.log2(a.sequences);
      out[1] = Math.log2(a.contextTokens);
      out[2] = Math.log2(a.heads);
      out[3] = Math.log2(a.headDim);
      out[4] = Math.log2(a.heads / a.kvHeads);
      return;
    }
    case "flops-bytes":
      out[0] = Math.log2(Math.max(1, op.flops));
      out[1] = Math.log2(bytes);
      return;
    case "bytes":
      out[0] = Math.log2(bytes);
      return;
    case "collective": {
      const comm = op.comm as NonNullable<Op["comm"]>;
      // An all-to-all with its own tier split (DeepEP's normal kernels) is keyed by what it puts on
      // the wires, which is what its time follows: the payload alone does not tell top-k apart.
      const split = comm.split;
      out[0] = Math.log2(Math.max(1, split ? split.scaleUpBytes + split.scaleOutBytes : comm.bytes));
      out[1] = Math.log2(comm.span.size);
      out[2] = Math.log2(comm.span.domains);
      return;
    }
  }
}

/**
 * What splits one op name's measurements into separate families besides the tensor-core class: the
 * KV-cache format of attention (MLA's as "mla/<format>": its kernels are not GQA's of the same op
 * name); the stored weight format of a weight-only quantized GEMM (weights narrower than its
 * compute format, e.g. "weights-int4" for W4A16, whose dequantizing kernels are not the plain
 * GEMM's); the scale block of block-scaled FP8 weights ("block-128x128": DeepGEMM-style kernels
 * with 1 x 128 activation tiles, not per-tensor FP8's); for a collective, which one, the library
 * that runs it and whether it stays in one scale-up domain (e.g. "all-reduce/nccl/scale-up").
 */
export function familyVariant(op: Op): string {
  const comm = op.comm;
  if (comm !== null)
    return COLLECTIVE_VARIANTS.get(comm.collective)?.get(comm.implementation)?.[
      comm.span.domains > 1 ? 1 : 0
    ] as string;
  if (op.latentKvDtype !== undefined) return MLA_VARIANTS[op.latentKvDtype];
  if (op.attention !== undefined) return op.attention.kvDtype;
  const weight = op.weightDtype;
  // Equal formats (most GEMMs) settle it without the two width look-ups.
  if (
    weight !== undefined &&
    weight !== op.computeDtype &&
    BYTES_PER_ELEMENT[weight] < BYTES_PER_ELEMENT[op.computeDtype]
  )
    return WEIGHT_ONLY_VARIANTS[weight];
  const block = op.weightBlockSize;
  if (block) return blockVariant(block);
  return "";
}

/** "block-128x128" per weight-scale block (rows, then columns), built once per block size. */
const BLOCK_VARIANTS = new Map<number, Map<number, string>>();
// The ops of a step share one block tuple (the step's dtypes), so the last answer is kept too.
let lastBlock: WeightBlockSize | null = null;
let lastBlockVariant = "";
function blockVariant(block: WeightBlockSize): string {
  if (block === lastBlock) return lastBlockVariant;
  const rows = block[0];
  const columns = block[1];
  let byColumns = BLOCK_VARIANTS.get(rows);
  if (byColumns === undefined) {
    byColumns = new Map();
    BLOCK_VARIANTS.set(rows, byColumns);
  }
  let variant = byColumns.get(columns);
  if (variant === undefined) {
    variant = `block-${rows}x${columns}`;
    byColumns.set(columns, variant);
  }
  lastBlock = block;
  lastBlockVariant = variant;
  return variant;
}

/** The family variant of MLA attention per latent-cache format (tables, so lookups do not allocate). */
const MLA_VARIANTS = Object.fromEntries(DTYPES.map((d) => [d, `mla/${d}`])) as Readonly<
  Record<Dtype, string>
>;

/** The family variant of a weight-only quantized GEMM. */
const WEIGHT_ONLY_VARIANTS = Object.fromEntries(DTYPES.map((d) => [d, `weights-${d}`])) as Readonly<
  Record<Dtype, string>
>;

/**
 * True for a variant that only narrows its compute format's family (see familyVariant): a
 * weight-only quantized GEMM, or one on block-scaled weights. Without measurements of its own it
 * borrows that family, outside the data.
 */
export function isNarrowingVariant(variant: string): boolean {
  return variant.startsWith("weights-") || variant.startsWith("block-");
}

/** Every collective variant, built once: predictors look them up per op without allocating. */
const COLLECTIVE_VARIANTS = new Map(
  COLLECTIVES.map((collective) => [
    collective,
    new Map(
      COLLECTIVE_IMPLEMENTATIONS.map((library) => [
        library,
        [`${collective}/${library}/scale-up`, `${collective}/${library}/scale-out`] as const,
      ]),
    ),
  ]),
);
