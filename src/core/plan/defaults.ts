import type { ModelSpec } from "../model/types.ts";
import type { PlanAxes } from "./spec.ts";

const powersOfTwoUpTo = (limit: number) => {
  const values: number[] = [];
  for (let v = 1; v <= limit; v *= 2) values.push(v);
  return values;
};

/**
 * The sweep's default axes for a model and budget: both modes on every hardware, TP 1-8, no
 * pipeline, attention-DP up to the budget (MoE only, up to 256), experts TP-sharded or expert-
 * parallel, two-micro-batch overlap tried for MoE, decode batches 1-512 per attention-DP group, and
 * xPyD units of 1-4 prefill and 1-8 decode replicas.
 */
export function defaultPlanAxes(model: ModelSpec, hardwareCount: number, budgetGpus: number): PlanAxes {
  const all = Array.from({ length: hardwareCount }, (_, i) => i);
  const moe = model.moe !== null;
  return {
    modes: ["aggregated", "disaggregated"],
    aggregatedHardware: all,
    prefillHardware: all,
    decodeHardware: all,
    tp: [1, 2, 4, 8],
    pp: [1],
    dp: moe ? powersOfTwoUpTo(Math.min(budgetGpus, 256)) : [1],
    experts: moe ? ["tp", "ep"] : ["tp"],
    overlap: moe ? ["none", "two-micro-batch"] : ["none"],
    batch: powersOfTwoUpTo(512),
    kvDtype: ["bf16"],
    prefillReplicas: [1, 2, 3, 4],
    decodeReplicas: [1, 2, 3, 4, 5, 6, 7, 8],
  };
}

export const PLAN_DEFAULTS = {
  memoryUtilization: 0.9,
  allReduce: "nccl",
  maxBatchedTokens: 8192,
  percentile: 90,
  recheckCandidates: 5,
  recheckRequests: 2000,
  recheckLoad: 0.8,
  seed: 0,
} as const;
