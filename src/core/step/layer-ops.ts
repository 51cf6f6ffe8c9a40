import { BYTES_PER_ELEMENT } from "../dtype.ts";
import type { LayerKind } from "../model/types.ts";
import { collectiveOp } from "../ops/collective.ts";
import { embeddingLookup, norm } from "../ops/elementwise.ts";
import { gemm } from "../ops/gemm.ts";
import type { Op } from "../ops/types.ts";
import { attentionBlockOps } from "./attention-ops.ts";
import { type BuildContext, tpAllReduceOp } from "./context.ts";
import { denseFfnOps, moeFfnOps } from "./ffn-ops.ts";
import { type StepWorkload, stepSequences, stepTokens } from "./workload.ts";

/** The ordered ops of one decoder layer on one GPU. */
export function decoderLayerOps(ctx: BuildContext, layer: LayerKind, workload: StepWorkload): Op[] {
  const ops: Op[] = [];
  attentionBlockOps(ctx, layer.slidingWindow, workload, ops);
  const tokens = stepTokens(workload);
  const { moe, dense } = ctx.model;
  if (layer.ffn === "moe" && moe) moeFfnOps(ctx, moe, tokens, ops);
  else if (dense) denseFfnOps(ctx, dense, tokens, ops);
  return ops;
}

/**
 * Token embedding (first stage). The table is vocab-parallel over TP, so a TP > 1 lookup ends in
 * an all-reduce. Embedding and LM head stay in the checkpoint's unquantized format (FP8 and 4-bit
 * checkpoints keep them in bf16), whatever the activation format.
 */
export function embeddingOps(ctx: BuildContext, workload: StepWorkload): Op[] {
  const { model, dtypes, plan } = ctx;
  const tokens = stepTokens(workload);
  const ops = [embeddingLookup(tokens, model.hiddenSize, plan.tp, model.unquantizedDtype, dtypes.activation)];
  if (plan.tp > 1) {
    const bytes = tokens * model.hiddenSize * BYTES_PER_ELEMENT[dtypes.activation];
    ops.push(tpAllReduceOp(ctx, "embedding_all_reduce", bytes, "all-reduce T·H·a over TP"));
  }
  return ops;
}

/** Final norm and LM head (last stage): logits only for each sequence's last token, gathered over TP. */
export function headOps(ctx: BuildContext, workload: StepWorkload): Op[] {
  const { model, dtypes, plan } = ctx;
  const rows = stepSequences(workload);
  const a = BYTES_PER_ELEMENT[dtypes.activation];
  const ops = [
    norm("final_norm", stepTokens(workload), model.hiddenSize, dtypes.activation),
    gemm({
      name: "lm_head",
      m: rows,
      k: model.hiddenSize,
      n: model.vocabSize / plan.tp,
      weightDtype: model.unquantizedDtype,
      activationDtype: dtypes.activation,
      computeDtype: "bf16",
      formula: "2·B·H·V/TP (last token of each sequence)",
    }),
  ];
  if (plan.tp > 1) {
    ops.push(
      collectiveOp(
        "logits_all_gather",
        "all-gather",
        rows * model.vocabSize * a,
        ctx.spans.tp,
        "all-gather B·V·a over TP",
      ),
    );
  }
  return ops;
}
