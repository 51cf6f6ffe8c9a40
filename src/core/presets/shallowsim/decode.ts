import type { EpDecodeColumns } from "../../analysis/ep-decode.ts";
import type { HardwareSpec } from "../../hardware/types.ts";
import type { ModelSpec } from "../../model/types.ts";
import { collectiveOp } from "../../ops/collective.ts";
import type { Op } from "../../ops/types.ts";
import { groupSpan } from "../../parallel/placement.ts";
import type { Predictor } from "../../predictor/types.ts";
import { DECODE_MICRO_BATCHES, GIB, MEMORY_UTILIZATION } from "./assumptions.ts";
import type { GpuTableRow } from "./gpu-table.ts";
import { SHALLOWSIM_OPS } from "./predictor.ts";
import {
  type AttentionShape,
  attentionShape,
  type MemoryConstants,
  type MoeShape,
  memoryConstants,
  moeShape,
} from "./shapes.ts";

/** Everything a ShallowSim decode row needs that does not change with TP, EP or batch. */
export interface ShallowSimDecodeContext {
  readonly row: GpuTableRow;
  readonly hardware: HardwareSpec;
  readonly predictor: Predictor;
  readonly attention: AttentionShape;
  readonly moe: MoeShape;
  readonly memory: MemoryConstants;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly fp8Combine: boolean;
  /** Per-(EP, batch, TP) parts that do not depend on the KV length. */
  readonly fixed: Map<number, FixedParts>;
}

export function shallowsimDecodeContext(
  model: ModelSpec,
  row: GpuTableRow,
  hardware: HardwareSpec,
  predictor: Predictor,
  fp8Combine: boolean,
): ShallowSimDecodeContext {
  return {
    row,
    hardware,
    predictor,
    attention: attentionShape(model),
    moe: moeShape(model),
    memory: memoryConstants(model),
    numLayers: model.numLayers,
    hiddenSize: model.hiddenSize,
    fp8Combine,
    fixed: new Map(),
  };
}

/** A compute op in ShallowSim's accounting: FLOPs, weight bytes (1 byte per element) and KV bytes. */
function work(
  name: string,
  kind: Op["kind"],
  computeDtype: Op["computeDtype"],
  flops: number,
  weightBytes: number,
  kvBytes: number,
  formula: string,
  rowsPerExpert?: number,
): Op {
  const bytesRead = weightBytes + kvBytes;
  // Two literals rather than a spread: spreading then adding a key is ~100x slower in V8 here.
  if (rowsPerExpert === undefined) {
    return {
      name,
      kind,
      computeDtype,
      flops,
      bytesRead,
      bytesWritten: 0,
      weightBytes,
      kvCacheBytes: kvBytes,
      comm: null,
      shape: null,
      formula,
    };
  }
  return {
    name,
    kind,
    computeDtype,
    flops,
    bytesRead,
    bytesWritten: 0,
    weightBytes,
    kvCacheBytes: kvBytes,
    comm: null,
    shape: null,
    formula,
    rowsPerExpert,
  };
}

const time = (ctx: ShallowSimDecodeContext, op: Op): number => ctx.predictor.predict(op, ctx.hardware).ms;

/**
 * Largest batch per GPU that fits (SPEC §4.1): KV per sequence counts every layer, in FP8, and is
 * multiplied by TP; weights use the preset's parameter sizes with G routed + 1 shared experts.
 */
export function shallowsimMaxBatch(
  ctx: ShallowSimDecodeContext,
  tp: number,
  expertsPerGpu: number,
  seqLen: number,
  decodeLen: number,
): number {
  const kvPerSequence = (seqLen + decodeLen) * ctx.attention.kvElementsPerToken * ctx.numLayers * tp;
  const freeGB =
    ctx.row.memGB * MEMORY_UTILIZATION -
    ctx.memory.otherGB -
    (ctx.memory.attentionParamsM * ctx.numLayers) / tp / 1024 -
    (ctx.memory.expertParamsM * ctx.moe.sparseLayers * (expertsPerGpu + 1)) / 1024;
  return (freeGB * GIB) / kvPerSequence;
}

/** The parts of a decode row that do not depend on the KV length (cached per EP, batch, TP). */
interface FixedParts {
  readonly expertsPerGpu: number;
  /** MLA GEMM part (with its weight load) unsplit and split over TP. */
  readonly mlaGemmMs: number;
  readonly mlaGemmTpMs: number;
  /** All-reduce plus the kernel constant added to the TP MLA. */
  readonly tpExtraMs: number;
  readonly denseMlp: number;
  readonly sharedExpert: number;
  readonly routedExpert: number;
  readonly dispatch: number;
  readonly combine: number;
}

function mlaGemmMs(ctx: ShallowSimDecodeContext, batch: number, split: number): number {
  const hasFp4 = ctx.row.fp4Tflops > 0;
  const a = ctx.attention;
  return time(
    ctx,
    work(
      SHALLOWSIM_OPS.mlaGemm,
      "gemm",
      hasFp4 ? "fp4" : "fp8",
      (batch * a.decodeGemmFlops) / split,
      hasFp4 ? 0 : a.weightElements / split,
      0,
      "bs·2·[D·Dq + Dq·H·dr + H·(Dq·dn + dn·Dc)]; FP4 GPUs skip the weight load",
    ),
  );
}

function mlaAttentionMs(ctx: ShallowSimDecodeContext, batch: number, seqLen: number, split: number): number {
  const a = ctx.attention;
  return time(
    ctx,
    work(
      SHALLOWSIM_OPS.mlaAttention,
      "attention",
      "bf16",
      (batch * (a.decodeAttentionFlopsBase + a.decodeAttentionFlopsPerKey * seqLen)) / split,
      0,
      0,
      "bs·2·[H·s·(dr + 2·Dc) + H·dv·Dc + H·dv·D]",
    ),
  );
}

function fixedParts(ctx: ShallowSimDecodeContext, ep: number, batch: number, tp: number): FixedParts {
  // Exact for any integers below 2^17 each (ep, batch, tp): no two triples share a key.
  const key = (ep * 131_072 + batch) * 131_072 + tp;
  const cached = ctx.fixed.get(key);
  if (cached) return cached;
  const moe = ctx.moe;
  const hasFp4 = ctx.row.fp4Tflops > 0;
  const gemmDtype = hasFp4 ? "fp4" : "fp8";
  const h = ctx.hiddenSize;
  const expertsPerGpu = Math.ceil(moe.routedExperts / ep);
  const staticMs = time(
    ctx,
    work(SHALLOWSIM_OPS.mlaKernelStatic, "elementwise", "bf16", 0, 0, 0, "constant"),
  );
  const allReduceMs =
    tp === 1
      ? 0
      : time(
          ctx,
          collectiveOp(
            SHALLOWSIM_OPS.allReduce,
            "all-reduce",
            batch * h * 2,
            groupSpan(tp, 1, ctx.hardware.scaleUp.domainGpus),
            "bs·D·2 bytes over NVLink",
          ),
        );
  const denseMlp = time(
    ctx,
    work(
      SHALLOWSIM_OPS.denseMlp,
      "gemm",
      gemmDtype,
      batch * moe.denseFlopsPerToken,
      moe.denseElements,
      0,
      "3·bs·D·I·2 FLOPs; 3·D·I weights, no TP split",
    ),
  );

  // Experts: two micro-batches of bs/2, each loading its weights; FP4 GPUs load FP4 weights.
  const microBatch = batch / DECODE_MICRO_BATCHES;
  const load = hasFp4 ? moe.expertElements / 2 : moe.expertElements;
  const sharedLoad = hasFp4 ? moe.sharedElements / 2 : moe.sharedElements;
  const rowsPerExpert = (microBatch * moe.topK) / expertsPerGpu;
  const shared = work(
    SHALLOWSIM_OPS.sharedExpert,
    "grouped-gemm",
    gemmDtype,
    microBatch * moe.sharedFlopsPerToken,
    sharedLoad,
    0,
    "3·b·D·I_e·2 FLOPs at the routed GEMM's efficiency",
    rowsPerExpert,
  );
  const routed = work(
    SHALLOWSIM_OPS.routedExperts,
    "grouped-gemm",
    gemmDtype,
    microBatch * moe.topK * moe.expertFlopsPerToken,
    load * expertsPerGpu,
    0,
    "3·(b·K)·D·I_e·2 FLOPs; G experts' weights",
    rowsPerExpert,
  );

  // All-to-all: FP8 dispatch; FP16 combine unless fp8_combine on an FP4 GPU.
  const span = groupSpan(ep, 1, ctx.hardware.scaleUp.domainGpus);
  const dispatchBytes = batch * h * moe.topK;
  const combineBytes = ctx.fp8Combine && hasFp4 ? dispatchBytes : 2 * dispatchBytes;
  const parts: FixedParts = {
    expertsPerGpu,
    mlaGemmMs: mlaGemmMs(ctx, batch, 1),
    mlaGemmTpMs: mlaGemmMs(ctx, batch, tp),
    tpExtraMs: allReduceMs + staticMs,
    denseMlp,
    sharedExpert: moe.sharedFlopsPerToken > 0 ? DECODE_MICRO_BATCHES * time(ctx, shared) : 0,
    routedExpert: DECODE_MICRO_BATCHES * time(ctx, routed),
    dispatch: time(
      ctx,
      collectiveOp(SHALLOWSIM_OPS.dispatch, "all-to-all", dispatchBytes, span, "bs·D·K bytes over one link"),
    ),
    combine: time(
      ctx,
      collectiveOp(
        SHALLOWSIM_OPS.combine,
        "all-to-all",
        combineBytes,
        span,
        "bs·D·K·(1 or 2) bytes over one link",
      ),
    ),
  };
  ctx.fixed.set(key, parts);
  return parts;
}

/**
 * One decode row of the EP table under ShallowSim's model (SPEC §4), or null when the batch does
 * not fit. Times are ms per layer. Parts that do not depend on the KV length are computed once
 * per (EP, batch, TP) and reused across a sequence-length sweep.
 */
export function shallowsimDecodeRow(
  ctx: ShallowSimDecodeContext,
  ep: number,
  batch: number,
  tp: number,
  seqLen: number,
  decodeLen: number,
): EpDecodeColumns | null {
  const fixed = fixedParts(ctx, ep, batch, tp);
  if (batch > shallowsimMaxBatch(ctx, tp, fixed.expertsPerGpu, seqLen, decodeLen)) return null;
  const loadKvMs = time(
    ctx,
    work(
      SHALLOWSIM_OPS.kvRead,
      "attention",
      "bf16",
      0,
      0,
      seqLen * ctx.attention.kvElementsPerToken * batch,
      "s·(Dc+dr)·bs bytes, not split by TP",
    ),
  );
  const attentionMs = mlaAttentionMs(ctx, batch, seqLen, 1);
  const denseMla = fixed.mlaGemmMs + attentionMs + loadKvMs;
  const tpMla =
    tp === 1
      ? fixed.mlaGemmMs + attentionMs + fixed.tpExtraMs
      : fixed.mlaGemmTpMs + mlaAttentionMs(ctx, batch, seqLen, tp) + fixed.tpExtraMs;
  return {
    denseMla,
    denseMlp: fixed.denseMlp,
    sparseMla: tpMla + loadKvMs,
    combine: fixed.combine,
    sharedExpert: fixed.sharedExpert,
    routedExpert: fixed.routedExpert,
    dispatch: fixed.dispatch,
  };
}
