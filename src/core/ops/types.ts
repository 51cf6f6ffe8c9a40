import type { AllToAllSplit, CollectiveImplementation, CollectiveKind } from "../collectives/alpha-beta.ts";
import type { Dtype, WeightBlockSize } from "../dtype.ts";
import type { GroupSpan } from "../parallel/placement.ts";

export const OP_KINDS = [
  "gemm",
  "grouped-gemm",
  "attention",
  "elementwise",
  "embedding",
  "collective",
] as const;
export type OpKind = (typeof OP_KINDS)[number];

/** A collective an op performs, with the per-GPU payload as collectiveTimeSec defines it. */
export interface CommCall {
  readonly collective: CollectiveKind;
  readonly bytes: number;
  readonly span: GroupSpan;
  /** Per-tier bytes of an all-to-all that does not spread uniformly; null for the uniform split. */
  readonly split: AllToAllSplit | null;
  /**
   * Fraction of the GPU's SMs the collective's kernels occupy while it runs, taken from computation
   * it overlaps (0: none modelled, e.g. hook-based low-latency all-to-all).
   */
  readonly smShare: number;
  /** The library whose kernels run it (measured tables of one library do not price another's). */
  readonly implementation: CollectiveImplementation;
}

/** A GEMM's shape on one GPU: M tokens x N outputs x K inputs. */
export interface GemmShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /**
   * Independent GEMMs of this shape, each with its own weights, run as one batched kernel (a
   * per-head BMM such as MLA's absorbed W_UK); absent (or undefined) for a plain GEMM.
   */
  readonly batch?: number | undefined;
}

/** An attention kernel's shape on one GPU: sequences x query tokens against context tokens. */
export interface AttentionShape {
  readonly sequences: number;
  readonly queryTokens: number;
  /** Keys each query attends (after any window). */
  readonly contextTokens: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly kvDtype: Dtype;
}

/**
 * One fused kernel of a step on one GPU: its work (FLOPs), its HBM traffic and any communication.
 * Every figure is per GPU and per execution of the op.
 */
export interface Op {
  /** Stable name, e.g. "qkv_proj", "attention_decode", "moe_dispatch". */
  readonly name: string;
  readonly kind: OpKind;
  /** Format the tensor cores run in (selects the peak). */
  readonly computeDtype: Dtype;
  readonly flops: number;
  /** All bytes read from HBM (weights, activations, KV cache). */
  readonly bytesRead: number;
  /** All bytes written to HBM (activations, new KV cache entries). */
  readonly bytesWritten: number;
  /** Part of bytesRead that is weights. */
  readonly weightBytes: number;
  /** Part of bytesRead + bytesWritten that is KV cache. */
  readonly kvCacheBytes: number;
  readonly comm: CommCall | null;
  /** GEMM shape when the op is a matrix multiply. */
  readonly shape: GemmShape | null;
  /** The formula used, in the symbols of docs/formulas (T tokens, H hidden, ...). */
  readonly formula: string;
  /** Attention shape on this GPU, for predictors that index measured attention kernels by it. */
  readonly attention?: AttentionShape;
  /** Rows per touched expert of a grouped GEMM (what fills its tiles), for predictors that model it. */
  readonly rowsPerExpert?: number;
  /** Stored format of a GEMM's weights (narrower than computeDtype for weight-only quantization). */
  readonly weightDtype?: Dtype;
  /**
   * Weight-scale block of a GEMM on block-scaled FP8 weights (DeepSeek-V3's 128 x 128; null for
   * per-tensor scales): its kernels form families apart from per-tensor FP8's.
   */
  readonly weightBlockSize?: WeightBlockSize | null;
  /**
   * Set on MLA attention ops only: the format of the latent KV cache they read. It marks them as
   * MLA, whose kernels form families apart from GQA's of the same op name.
   */
  readonly latentKvDtype?: Dtype;
}

/** Activation bytes an op touches (traffic that is neither weights nor KV cache). */
export function activationBytes(op: Op): number {
  return op.bytesRead + op.bytesWritten - op.weightBytes - op.kvCacheBytes;
}
