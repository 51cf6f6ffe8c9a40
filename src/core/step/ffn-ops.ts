import { BYTES_PER_ELEMENT } from "../dtype.ts";
import type { MlpSpec, MoeSpec } from "../model/types.ts";
import { collectiveOp } from "../ops/collective.ts";
import { norm } from "../ops/elementwise.ts";
import { gemm, groupedGemm } from "../ops/gemm.ts";
import { expectedTouchedExperts } from "../ops/moe.ts";
import { lowLatencyAllToAllOp, normalAllToAllOp } from "../ops/moe-all-to-all.ts";
import type { Op } from "../ops/types.ts";
import { type BuildContext, tpAllReduceOp } from "./context.ts";
import { denseGemm } from "./dense-gemm.ts";

/** Up (+gate) and down GEMMs of an MLP split `shards` ways along its width. */
function mlpOps(ctx: BuildContext, mlp: MlpSpec, tokens: number, shards: number, prefix: string, ops: Op[]) {
  const hidden = ctx.model.hiddenSize;
  const width = mlp.intermediateSize / shards;
  const up = mlp.gated ? 2 : 1;
  ops.push(
    denseGemm(
      ctx,
      `${prefix}_up`,
      tokens,
      hidden,
      up * width,
      mlp.gated ? "2·T·H·2I/TP (gate+up)" : "2·T·H·I/TP",
    ),
  );
  ops.push(denseGemm(ctx, `${prefix}_down`, tokens, width, hidden, "2·T·(I/TP)·H"));
}

/**
 * Dispatch or combine of routed tokens among the EP ranks. Each GPU sends its 1/TP share of its
 * group's tokens to the experts of its top-k (times the expert split, and times the imbalance
 * factor since the busiest rank bounds the exchange), in DeepEP's low-latency kernels (decode) or
 * its normal ones (prefill).
 */
function expertAllToAll(
  ctx: BuildContext,
  moe: MoeSpec,
  tokens: number,
  name: string,
  bytesPerElement: number,
): Op {
  const { plan, spans } = ctx;
  const shape = {
    tokensPerRank: tokens / plan.tp,
    hidden: ctx.model.hiddenSize,
    topK: moe.topK,
    experts: moe.numExperts,
    ep: plan.ep,
    expertTp: plan.expertTp,
    imbalance: plan.expertImbalance,
    elementBytes: bytesPerElement,
  };
  return ctx.allToAll === "low-latency"
    ? lowLatencyAllToAllOp(name, shape, spans.stage)
    : normalAllToAllOp(name, shape, spans.stage);
}

/** Dense FFN block: norm, MLP sharded over TP, all-reduce. */
export function denseFfnOps(ctx: BuildContext, mlp: MlpSpec, tokens: number, ops: Op[]): void {
  const { model, plan, dtypes } = ctx;
  ops.push(norm("ffn_norm", tokens, model.hiddenSize, dtypes.activation));
  mlpOps(ctx, mlp, tokens, plan.tp, "mlp", ops);
  if (plan.tp > 1) {
    const bytes = tokens * model.hiddenSize * BYTES_PER_ELEMENT[dtypes.activation];
    ops.push(tpAllReduceOp(ctx, "mlp_all_reduce", bytes, "all-reduce T·H·a over TP"));
  }
}

/**
 * MoE block on one GPU. The tp x dp GPUs of a stage share the experts: with EP > 1 tokens travel by
 * all-to-all (each GPU dispatches its 1/TP share of its group's tokens, top-k copies each); with
 * EP = 1 every expert is split over all of them and tokens are all-gathered across DP groups.
 * Routed work per GPU: T·dp·k/EP token-expert rows times the imbalance factor, on 1/expertTp of
 * each expert's width; weights are read for the experts expected to receive a token.
 */
export function moeFfnOps(ctx: BuildContext, moe: MoeSpec, tokens: number, ops: Op[]): void {
  const { model, plan, dtypes, spans } = ctx;
  const h = model.hiddenSize;
  const a = BYTES_PER_ELEMENT[dtypes.activation];
  ops.push(norm("ffn_norm", tokens, h, dtypes.activation));
  ops.push(
    gemm({
      name: "router",
      m: tokens,
      k: h,
      n: moe.numExperts,
      weightDtype: model.unquantizedDtype,
      activationDtype: dtypes.activation,
      computeDtype: "bf16",
      formula: "2·T·H·E",
    }),
  );
  const domainTokens = tokens * plan.dp;
  if (plan.ep > 1)
    ops.push(expertAllToAll(ctx, moe, tokens, "moe_dispatch", BYTES_PER_ELEMENT[dtypes.dispatch]));
  else if (plan.dp > 1) {
    ops.push(
      collectiveOp(
        "moe_all_gather",
        "all-gather",
        domainTokens * h * a,
        spans.dp,
        "all-gather T·dp·H·a over DP",
      ),
    );
  }
  const rows = ((domainTokens * moe.topK) / plan.ep) * plan.expertImbalance;
  const width = moe.expert.intermediateSize / plan.expertTp;
  const touched = expectedTouchedExperts(plan.expertSlotsPerRank, moe.numExperts, moe.topK, domainTokens);
  const experts = (name: string, k: number, n: number, formula: string) =>
    groupedGemm({
      name,
      m: rows,
      n,
      k,
      matricesRead: touched,
      weightDtype: dtypes.expertWeight,
      activationDtype: dtypes.activation,
      computeDtype: dtypes.expertGemmCompute,
      weightBlockSize: dtypes.weightBlockSize,
      formula,
    });
  const up = moe.expert.gated ? 2 : 1;
  ops.push(experts("experts_up", h, up * width, "2·rows·H·2I_e/expertTp; weights of touched experts"));
  ops.push(experts("experts_down", width, h, "2·rows·(I_e/expertTp)·H"));
  if (moe.shared) mlpOps(ctx, moe.shared, tokens, plan.tp, "shared_expert", ops);
  if (plan.ep > 1) {
    ops.push(expertAllToAll(ctx, moe, tokens, "moe_combine", BYTES_PER_ELEMENT[dtypes.combine]));
    if (plan.tp > 1) {
      ops.push(
        tpAllReduceOp(
          ctx,
          "moe_tp_all_reduce",
          tokens * h * a,
          "all-reduce T·H·a over TP (gather TP shares, sum shared expert)",
        ),
      );
    }
  } else if (plan.dp > 1) {
    ops.push(
      collectiveOp(
        "moe_reduce_scatter",
        "reduce-scatter",
        domainTokens * h * a,
        spans.stage,
        "reduce-scatter T·dp·H·a over the stage",
      ),
    );
    if (plan.tp > 1)
      ops.push(
        collectiveOp("moe_tp_all_gather", "all-gather", tokens * h * a, spans.tp, "all-gather T·H·a over TP"),
      );
  } else if (plan.tp > 1) {
    ops.push(tpAllReduceOp(ctx, "moe_all_reduce", tokens * h * a, "all-reduce T·H·a over TP"));
  }
}
