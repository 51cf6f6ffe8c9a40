import { type ExpertAllToAllShape, normalAllToAllSplit } from "../collectives/deepep.ts";
import type { GroupSpan } from "../parallel/placement.ts";
import { collectiveOp } from "./collective.ts";
import type { Op } from "./types.ts";

/** SMs of DeepEP's normal kernels: its default (`Buffer.num_sms = 20`, deep_ep/buffer.py), DeepSeek's. */
export const NORMAL_ALL_TO_ALL_SMS = 20;

/**
 * SMs DeepEP's normal (bandwidth) all-to-all kernels keep busy, as a share of the GPU: DeepSeek runs
 * them on 20 of the H800's 132 SMs (DeepSeek-V3 technical report, arXiv:2412.19437, §3.2.2; the
 * same 20 of 132 as ShallowSim's `comm_sm`, data/reference/shallowsim-gpu_info.csv). Computation
 * beside them runs on the rest. Low-latency kernels are hook-based and occupy none while in flight.
 */
export const NORMAL_ALL_TO_ALL_SM_SHARE = NORMAL_ALL_TO_ALL_SMS / 132;

/** The op's payload: every top-k copy of each sent token, per expert shard, on the busiest rank. */
function payloadBytes(shape: ExpertAllToAllShape): number {
  return (
    shape.tokensPerRank * shape.topK * shape.hidden * shape.expertTp * shape.elementBytes * shape.imbalance
  );
}

/** MoE dispatch or combine in DeepEP's low-latency mode: every top-k copy travels on its own. */
export function lowLatencyAllToAllOp(name: string, shape: ExpertAllToAllShape, span: GroupSpan): Op {
  return collectiveOp(
    name,
    "all-to-all",
    payloadBytes(shape),
    span,
    "all-to-all of (T/TP)·k·H·b·expertTp·imbalance per GPU",
    null,
    0,
    "deepep-low-latency",
  );
}

/**
 * MoE dispatch or combine in DeepEP's normal mode: a token goes once per destination rank over
 * NVLink and once per destination domain over the NIC (normalAllToAllSplit), on the SMs it keeps.
 */
export function normalAllToAllOp(name: string, shape: ExpertAllToAllShape, span: GroupSpan): Op {
  return collectiveOp(
    name,
    "all-to-all",
    payloadBytes(shape),
    span,
    "normal mode: g·(T/TP)·H·b'·imbalance·P(rank's experts) over NVLink, (T/TP)·H·b'·imbalance·(d-1)·P(domain's experts) over the NIC; b' with FP8 scales",
    normalAllToAllSplit(shape, span),
    NORMAL_ALL_TO_ALL_SM_SHARE,
    "deepep-normal",
  );
}
