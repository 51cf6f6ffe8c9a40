import type { AllReduceImplementation } from "../collectives/custom-all-reduce.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import type { ModelSpec } from "../model/types.ts";
import { collectiveOp } from "../ops/collective.ts";
import type { Op } from "../ops/types.ts";
import { type GroupSpan, groupSpan } from "../parallel/placement.ts";
import type { ResolvedPlan } from "../parallel/plan.ts";
import type { StepDtypes } from "./dtypes.ts";

/** MLA form: absorbed (latent-space attention) or naive (up-project K/V); auto = absorbed for decode only. */
export type MlaMode = "auto" | "absorbed" | "naive";

/**
 * MoE all-to-all kernels: "low-latency" sends every top-k copy (DeepEP's decode kernels);
 * "normal" sends a token once per destination domain and once per destination rank over NVLink
 * (DeepEP's prefill kernels); "auto" picks normal when the step has prefill tokens.
 */
export type AllToAllMode = "auto" | "normal" | "low-latency";

/** Everything the op builders need besides the workload. */
export interface BuildContext {
  readonly model: ModelSpec;
  readonly plan: ResolvedPlan;
  readonly dtypes: StepDtypes;
  readonly mlaMode: MlaMode;
  readonly allToAll: Exclude<AllToAllMode, "auto">;
  /** Kernels of the TP all-reduces (custom ones only inside one scale-up domain). */
  readonly allReduce: AllReduceImplementation;
  /** Communication groups: TP group, attention-DP peers (stride tp) and all GPUs of a stage. */
  readonly spans: { readonly tp: GroupSpan; readonly dp: GroupSpan; readonly stage: GroupSpan };
}

export function buildContext(
  model: ModelSpec,
  plan: ResolvedPlan,
  dtypes: StepDtypes,
  hardware: HardwareSpec,
  mlaMode: MlaMode,
  allToAll: Exclude<AllToAllMode, "auto">,
  allReduce: AllReduceImplementation = "nccl",
): BuildContext {
  const domain = hardware.scaleUp.domainGpus;
  const tp = groupSpan(plan.tp, 1, domain);
  return {
    model,
    plan,
    dtypes,
    mlaMode,
    allToAll,
    allReduce: tp.domains > 1 ? "nccl" : allReduce,
    spans: {
      tp,
      dp: groupSpan(plan.dp, plan.tp, domain),
      stage: groupSpan(plan.gpusPerStage, 1, domain),
    },
  };
}

/** An all-reduce of `bytes` per GPU over the TP group, on the context's all-reduce kernels. */
export function tpAllReduceOp(ctx: BuildContext, name: string, bytes: number, formula: string): Op {
  return collectiveOp(name, "all-reduce", bytes, ctx.spans.tp, formula, null, 0, ctx.allReduce);
}
