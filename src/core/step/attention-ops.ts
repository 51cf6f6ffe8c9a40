import { BYTES_PER_ELEMENT } from "../dtype.ts";
import type { GqaAttentionSpec, MlaAttentionSpec } from "../model/types.ts";
import {
  causalPairs,
  type GqaAttentionArgs,
  gqaDecodeAttention,
  gqaPrefillAttention,
} from "../ops/attention.ts";
import { norm } from "../ops/elementwise.ts";
import {
  type MlaArgs,
  type MlaBmmFormats,
  mlaAbsorbedAttention,
  mlaKvUpProjection,
  mlaPrefillAttention,
  mlaQueryAbsorb,
  mlaValueUp,
} from "../ops/mla.ts";
import type { Op } from "../ops/types.ts";
import { type BuildContext, tpAllReduceOp } from "./context.ts";
import { denseGemm } from "./dense-gemm.ts";
import { type StepWorkload, stepTokens } from "./workload.ts";

/** KV heads held by one GPU: split when TP divides them, one replicated head otherwise. */
export function kvHeadsPerGpu(attention: GqaAttentionSpec, tp: number): number {
  return attention.numKvHeads >= tp ? attention.numKvHeads / tp : 1;
}

function gqaOps(
  ctx: BuildContext,
  attention: GqaAttentionSpec,
  window: number | null,
  workload: StepWorkload,
  ops: Op[],
) {
  const tokens = stepTokens(workload);
  const hidden = ctx.model.hiddenSize;
  const heads = attention.numHeads / ctx.plan.tp;
  const kvHeads = kvHeadsPerGpu(attention, ctx.plan.tp);
  const args = (sequences: number): GqaAttentionArgs => ({
    sequences,
    heads,
    kvHeads,
    headDim: attention.headDim,
    window,
    kvDtype: ctx.dtypes.kvCache,
    activationDtype: ctx.dtypes.activation,
    computeDtype: ctx.dtypes.attention,
  });
  ops.push(
    denseGemm(
      ctx,
      "qkv_proj",
      tokens,
      hidden,
      (heads + 2 * kvHeads) * attention.headDim,
      "2·T·H·(h_q+2·h_kv)·d/TP",
    ),
  );
  if (workload.prefill) {
    const { sequences, newTokens, cachedTokens } = workload.prefill;
    ops.push(gqaPrefillAttention(args(sequences), newTokens, cachedTokens));
  }
  if (workload.decode)
    ops.push(gqaDecodeAttention(args(workload.decode.sequences), workload.decode.contextTokens));
  ops.push(denseGemm(ctx, "o_proj", tokens, heads * attention.headDim, hidden, "2·T·(h_q·d/TP)·H"));
}

function mlaOps(ctx: BuildContext, attention: MlaAttentionSpec, workload: StepWorkload, ops: Op[]) {
  const { dtypes } = ctx;
  const tokens = stepTokens(workload);
  const hidden = ctx.model.hiddenSize;
  const heads = attention.numHeads / ctx.plan.tp;
  const qkHeadDim = attention.qkNopeHeadDim + attention.qkRopeHeadDim;
  const latent = attention.kvLoraRank + attention.qkRopeHeadDim;
  if (attention.qLoraRank !== null) {
    ops.push(
      denseGemm(
        ctx,
        "qkv_a_proj",
        tokens,
        hidden,
        attention.qLoraRank + latent,
        "2·T·H·(Dq+Dc+dr), replicated over TP",
      ),
    );
    ops.push(
      denseGemm(ctx, "q_b_proj", tokens, attention.qLoraRank, heads * qkHeadDim, "2·T·Dq·h·(d_nope+dr)/TP"),
    );
  } else {
    ops.push(denseGemm(ctx, "q_proj", tokens, hidden, heads * qkHeadDim, "2·T·H·h·(d_nope+dr)/TP"));
    ops.push(denseGemm(ctx, "kv_a_proj", tokens, hidden, latent, "2·T·H·(Dc+dr), replicated over TP"));
  }
  const args = (sequences: number): MlaArgs => ({
    sequences,
    heads,
    kvLoraRank: attention.kvLoraRank,
    qkNopeHeadDim: attention.qkNopeHeadDim,
    qkRopeHeadDim: attention.qkRopeHeadDim,
    vHeadDim: attention.vHeadDim,
    kvDtype: dtypes.kvCache,
    activationDtype: dtypes.activation,
    computeDtype: dtypes.attention,
  });
  const bmmFormats: MlaBmmFormats = {
    weightDtype: dtypes.weight,
    computeDtype: dtypes.gemmCompute,
    weightBlockSize: dtypes.weightBlockSize,
  };
  const absorbed = (sequences: number, queries: number, pairs: number, keysRead: number, suffix: string) => {
    const m = sequences * queries;
    const shape = args(sequences);
    ops.push(mlaQueryAbsorb(shape, m, bmmFormats, `q_absorb${suffix}`));
    ops.push(mlaAbsorbedAttention(shape, queries, pairs, keysRead, `attention${suffix}`));
    ops.push(mlaValueUp(shape, m, bmmFormats, `v_up${suffix}`));
  };
  const naive = (sequences: number, newTokens: number, cachedTokens: number, suffix: string) => {
    ops.push(
      mlaKvUpProjection(
        args(sequences),
        newTokens,
        cachedTokens,
        dtypes.weight,
        dtypes.gemmCompute,
        `kv_up_proj${suffix}`,
        dtypes.weightBlockSize,
      ),
    );
    ops.push(mlaPrefillAttention(args(sequences), newTokens, cachedTokens, `attention${suffix}`));
  };
  if (workload.prefill) {
    const { sequences, newTokens, cachedTokens } = workload.prefill;
    if (ctx.mlaMode === "absorbed") {
      absorbed(
        sequences,
        newTokens,
        causalPairs(newTokens, cachedTokens, null),
        cachedTokens + newTokens,
        "_prefill",
      );
    } else naive(sequences, newTokens, cachedTokens, "_prefill");
  }
  if (workload.decode) {
    const { sequences, contextTokens } = workload.decode;
    if (ctx.mlaMode === "naive") naive(sequences, 1, contextTokens - 1, "_decode");
    else absorbed(sequences, 1, contextTokens, contextTokens, "_decode");
  }
  ops.push(denseGemm(ctx, "o_proj", tokens, heads * attention.vHeadDim, hidden, "2·T·(h·d_v/TP)·H"));
}

/** Norm, projections, attention core and output projection of one layer, plus the TP all-reduce. */
export function attentionBlockOps(
  ctx: BuildContext,
  window: number | null,
  workload: StepWorkload,
  ops: Op[],
): void {
  const { model, plan, dtypes } = ctx;
  const tokens = stepTokens(workload);
  ops.push(norm("attn_norm", tokens, model.hiddenSize, dtypes.activation));
  if (model.attention.kind === "mla") mlaOps(ctx, model.attention, workload, ops);
  else gqaOps(ctx, model.attention, window, workload, ops);
  if (plan.tp > 1) {
    const bytes = tokens * model.hiddenSize * BYTES_PER_ELEMENT[dtypes.activation];
    ops.push(tpAllReduceOp(ctx, "attn_all_reduce", bytes, "all-reduce T·H·a over TP"));
  }
}
