import { BYTES_PER_ELEMENT, type Dtype, type WeightBlockSize, weightBlockOf } from "../dtype.ts";
import type { Op } from "./types.ts";

export interface GemmArgs {
  readonly name: string;
  /** Rows: tokens. */
  readonly m: number;
  /** Output features per GPU. */
  readonly n: number;
  /** Input features per GPU. */
  readonly k: number;
  readonly weightDtype: Dtype;
  readonly activationDtype: Dtype;
  readonly computeDtype: Dtype;
  readonly formula: string;
  /**
   * Independent GEMMs of this shape with their own weights, run as one batched kernel (per-head
   * BMM); absent for a plain GEMM. Measured-kernel predictors price the two apart.
   */
  readonly batch?: number | undefined;
  /** Weight-scale block of block-scaled FP8 weights (ignored for other formats; scale bytes are not counted). */
  readonly weightBlockSize?: WeightBlockSize | null;
}

/**
 * Dense GEMM Y[m,n] = X[m,k] · W[k,n], `batch` times (one batched kernel): 2·batch·mkn FLOPs;
 * reads each W once (batch·k·n weights) and each X once, writes each Y.
 *
 * @example
 * gemm({ name: "o_proj", m: 1, n: 4096, k: 4096, weightDtype: "bf16", activationDtype: "bf16", computeDtype: "bf16", formula: "" }).flops; // 33554432
 */
export function gemm(args: GemmArgs): Op {
  const a = BYTES_PER_ELEMENT[args.activationDtype];
  const batch = args.batch ?? 1;
  const weightBytes = batch * args.k * args.n * BYTES_PER_ELEMENT[args.weightDtype];
  return {
    name: args.name,
    kind: "gemm",
    computeDtype: args.computeDtype,
    flops: 2 * batch * args.m * args.n * args.k,
    bytesRead: weightBytes + batch * args.m * args.k * a,
    bytesWritten: batch * args.m * args.n * a,
    weightBytes,
    kvCacheBytes: 0,
    comm: null,
    // One object shape for every GEMM (batch undefined unless batched): hot loops reading op.shape
    // stay monomorphic.
    shape: { m: args.m, n: args.n, k: args.k, batch: args.batch },
    formula: args.formula,
    weightDtype: args.weightDtype,
    weightBlockSize: weightBlockOf(args.weightDtype, args.weightBlockSize),
  };
}

export interface GroupedGemmArgs extends GemmArgs {
  /** Distinct weight matrices read (experts that received at least one token). */
  readonly matricesRead: number;
}

/**
 * Grouped GEMM over experts: `m` token-expert rows in all, each against its expert's W[k,n]; reads
 * every touched expert's weights once.
 */
export function groupedGemm(args: GroupedGemmArgs): Op {
  const a = BYTES_PER_ELEMENT[args.activationDtype];
  const weightBytes = args.matricesRead * args.k * args.n * BYTES_PER_ELEMENT[args.weightDtype];
  return {
    name: args.name,
    kind: "grouped-gemm",
    computeDtype: args.computeDtype,
    flops: 2 * args.m * args.n * args.k,
    bytesRead: weightBytes + args.m * args.k * a,
    bytesWritten: args.m * args.n * a,
    weightBytes,
    kvCacheBytes: 0,
    comm: null,
    shape: { m: args.m, n: args.n, k: args.k, batch: undefined },
    formula: args.formula,
    rowsPerExpert: args.matricesRead > 0 ? args.m / args.matricesRead : 0,
    weightDtype: args.weightDtype,
    weightBlockSize: weightBlockOf(args.weightDtype, args.weightBlockSize),
  };
}
