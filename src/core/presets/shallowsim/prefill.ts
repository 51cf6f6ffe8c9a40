import type { EpPrefillColumns } from "../../analysis/ep-prefill.ts";
import type { HardwareSpec } from "../../hardware/types.ts";
import type { ModelSpec } from "../../model/types.ts";
import { collectiveOp } from "../../ops/collective.ts";
import type { Op } from "../../ops/types.ts";
import { groupSpan } from "../../parallel/placement.ts";
import type { Predictor } from "../../predictor/types.ts";
import type { GpuTableRow } from "./gpu-table.ts";
import { SHALLOWSIM_OPS } from "./predictor.ts";
import { attentionShape, moeShape } from "./shapes.ts";

export interface ShallowSimPrefillInput {
  readonly model: ModelSpec;
  readonly row: GpuTableRow;
  readonly hardware: HardwareSpec;
  /** A prefill-mode ShallowSim predictor for this row. */
  readonly predictor: Predictor;
  readonly seqLen: number;
  /** Prefix-cache hit rate: only the KV down-projection skips the cached tokens. */
  readonly kvCacheRate: number;
  readonly tp: number;
  readonly dp: number;
}

const compute = (
  name: string,
  kind: Op["kind"],
  computeDtype: Op["computeDtype"],
  flops: number,
  weightBytes: number,
  formula: string,
): Op => ({
  name,
  kind,
  computeDtype,
  flops,
  bytesRead: weightBytes,
  bytesWritten: 0,
  weightBytes,
  kvCacheBytes: 0,
  comm: null,
  shape: null,
  formula,
});

/**
 * ShallowSim's per-layer prefill components for one GPU (SPEC §5), through the same op and
 * predictor interfaces as every other physics. Keeps the preset's quirks: full S x S attention
 * (no causal halving), 256/(dp·tp) experts as a plain division, no grouped-GEMM table and no FP4
 * halving of expert weights, the 4-node / 3-remote all-to-all of 8-GPU boxes (using all 8 NICs,
 * ignoring dp), and FP4-sized dispatch on every GPU.
 */
export function shallowsimPrefillColumns(input: ShallowSimPrefillInput): EpPrefillColumns {
  const { model, row, hardware, predictor, seqLen: s, kvCacheRate, tp, dp } = input;
  const time = (op: Op) => predictor.predict(op, hardware).ms;
  const a = attentionShape(model);
  const moe = moeShape(model);
  const hasFp4 = row.fp4Tflops > 0;
  const gemmDtype = hasFp4 ? "fp4" : "fp8";
  const h = model.hiddenSize;

  const gemmFlops = 2 * (s * a.prefillGemmMacs + (1 - kvCacheRate) * s * a.prefillKvDownMacs);
  const attentionFlops = 2 * (s * s * a.prefillAttentionMacsPerPair + s * a.prefillAttentionMacsPerToken);
  const mlaBase = (split: number) =>
    time(
      compute(
        SHALLOWSIM_OPS.mlaGemm,
        "gemm",
        gemmDtype,
        gemmFlops / split,
        hasFp4 ? 0 : a.weightElements / split,
        "non-absorbed MLA projections; KV down-projection x (1 - cache rate)",
      ),
    ) +
    time(
      compute(
        SHALLOWSIM_OPS.mlaAttention,
        "attention",
        "bf16",
        attentionFlops / split,
        0,
        "2·[H·S²·(dr+dn+dv) + S·H·dv·D], full S x S",
      ),
    );
  const staticMs = time(compute(SHALLOWSIM_OPS.mlaKernelStatic, "elementwise", "bf16", 0, 0, "constant"));
  const mla = mlaBase(1);
  const allReduce = () =>
    collectiveOp(
      SHALLOWSIM_OPS.allReduce,
      "all-reduce",
      s * h * 2,
      groupSpan(tp, 1, hardware.scaleUp.domainGpus),
      "S·D·2 bytes over NVLink",
    );
  const tpMla = tp === 1 ? mla + staticMs : mlaBase(tp) + time(allReduce()) + staticMs;
  const denseMlp = time(
    compute(
      SHALLOWSIM_OPS.denseMlp,
      "gemm",
      gemmDtype,
      s * moe.denseFlopsPerToken,
      moe.denseElements,
      "3·S·D·I·2 FLOPs; 3·D·I weights",
    ),
  );
  const sharedExpert = time(
    compute(
      SHALLOWSIM_OPS.sharedExpert,
      "gemm",
      gemmDtype,
      (s / tp) * moe.sharedFlopsPerToken,
      moe.sharedFlopsPerToken > 0 ? moe.sharedElements : 0,
      "3·(S/tp)·D·I_e·2 FLOPs",
    ),
  );
  const routedExpert = time(
    compute(
      SHALLOWSIM_OPS.routedExperts,
      "gemm",
      gemmDtype,
      ((s * moe.topK) / tp) * moe.expertFlopsPerToken,
      (moe.expertElements * moe.routedExperts) / (dp * tp),
      "3·(S·K/tp)·D·I_e·2 FLOPs; E/(dp·tp) experts' weights",
    ),
  );

  // All-to-all message (elements): 8-GPU boxes send to 3 of 4 nodes over the box's 8 NICs (one
  // NIC's share per GPU); racks send the remote fraction of experts over NVLink.
  const domain = hardware.scaleUp.domainGpus;
  let elements: number;
  let span: ReturnType<typeof groupSpan>;
  if (domain === 8) {
    const localDp = 8 / tp;
    elements = ((((4 - 1) * localDp * s * moe.topK) / 8) * h) / 8;
    span = groupSpan(4 * domain, 1, domain);
  } else {
    const expertsPerGpu = Math.ceil(moe.routedExperts / domain);
    const remote = (moe.routedExperts - expertsPerGpu) / moe.routedExperts;
    elements = ((remote * moe.topK * s) / tp) * h;
    span = groupSpan(domain, 1, domain);
  }
  const combine = time(
    collectiveOp(SHALLOWSIM_OPS.combine, "all-to-all", 2 * elements, span, "FP16 combine"),
  );
  const dispatch = time(
    collectiveOp(
      SHALLOWSIM_OPS.dispatch,
      "all-to-all",
      elements / 2,
      span,
      "FP4-sized dispatch on every GPU (upstream bug kept)",
    ),
  );
  return { mla, denseMlp, tpMla, sharedExpert, combine, routedExpert, dispatch };
}
