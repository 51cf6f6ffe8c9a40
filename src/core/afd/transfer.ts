import type { HardwareSpec } from "../hardware/types.ts";
import { collectiveOp } from "../ops/collective.ts";
import type { GroupSpan } from "../parallel/placement.ts";
import type { Predictor } from "../predictor/types.ts";

/** One direction of the activation exchange between the attention and the FFN GPUs of one layer. */
export interface AfdTransferArgs {
  readonly name: "to_ffn" | "to_attention";
  /** Tokens one attention GPU holds in the micro-batch. */
  readonly tokensPerAttentionGpu: number;
  readonly attentionGpus: number;
  readonly ffnGpus: number;
  /** Copies per token: top-k for a MoE layer (one per chosen expert), 1 for a dense FFN. */
  readonly fanOut: number;
  /** Busiest FFN rank's tokens over the mean (1 for a dense FFN). */
  readonly imbalance: number;
  readonly hiddenSize: number;
  readonly bytesPerElement: number;
  /** The link: one scale-up domain, or scale-out between domains. */
  readonly span: GroupSpan;
  readonly attentionHardware: HardwareSpec;
  readonly ffnHardware: HardwareSpec;
  readonly predictor: Predictor;
}

export interface AfdTransfer {
  /** Bytes one attention GPU sends (to_ffn) or receives (to_attention). */
  readonly attentionGpuBytes: number;
  /** Bytes the busiest FFN GPU receives (to_ffn) or sends (to_attention). */
  readonly ffnGpuBytes: number;
  readonly ms: number;
}

/**
 * M:N activation transfer (MegaScale-Infer's M2N communication, arXiv:2504.02263): each attention GPU moves
 * T·fanOut·H·b bytes and the busiest FFN GPU na·T·fanOut·H·b/nf·imbalance; each end is a
 * point-to-point message timed by the predictor's alpha-beta model on its own hardware, and the
 * slower end bounds the transfer.
 */
export function afdTransfer(args: AfdTransferArgs): AfdTransfer {
  const perToken = args.fanOut * args.hiddenSize * args.bytesPerElement;
  const attentionGpuBytes = args.tokensPerAttentionGpu * perToken;
  const ffnGpuBytes = ((args.attentionGpus * attentionGpuBytes) / args.ffnGpus) * args.imbalance;
  const formula = "T·fanOut·H·b per attention GPU; na·T·fanOut·H·b/nf·imbalance per FFN GPU";
  const atAttention = args.predictor.predict(
    collectiveOp(`${args.name}_attention_side`, "send-recv", attentionGpuBytes, args.span, formula),
    args.attentionHardware,
  );
  const atFfn = args.predictor.predict(
    collectiveOp(`${args.name}_ffn_side`, "send-recv", ffnGpuBytes, args.span, formula),
    args.ffnHardware,
  );
  return { attentionGpuBytes, ffnGpuBytes, ms: Math.max(atAttention.ms, atFfn.ms) };
}
