import type { Issue } from "../issues.ts";
import type { ModelSpec } from "../model/types.ts";

/**
 * How one model replica is split over GPUs. Ranks are laid out TP innermost, then attention-DP,
 * then PP (so a TP group is contiguous and lands in one scale-up domain when it fits).
 */
export interface ParallelPlan {
  /** Tensor parallelism of attention (and of dense MLPs and shared experts). */
  readonly tp: number;
  /** Pipeline stages; layers split contiguously, earlier stages take the remainder. */
  readonly pp: number;
  /**
   * Data-parallel attention groups per stage. For dense models these are plain replicas; for MoE
   * models the tp x dp GPUs of a stage share one set of experts (attention-DP, as SGLang/vLLM do).
   */
  readonly dp: number;
  /** Expert parallelism over the tp x dp GPUs of a stage; 1 shards every expert over them instead. */
  readonly ep: number;
  /** Extra expert slots per replica (EPLB redundant experts), spread evenly over the EP ranks. */
  readonly redundantExperts: number;
  /** Routed tokens on the busiest EP rank divided by the mean (1 = perfectly balanced). */
  readonly expertImbalance: number;
}

export const DEFAULT_PLAN: ParallelPlan = {
  tp: 1,
  pp: 1,
  dp: 1,
  ep: 1,
  redundantExperts: 0,
  expertImbalance: 1,
};

/** A full plan from a partial one (unset fields from DEFAULT_PLAN). */
export function completePlan(plan: Partial<ParallelPlan> = {}): ParallelPlan {
  return {
    tp: plan.tp ?? DEFAULT_PLAN.tp,
    pp: plan.pp ?? DEFAULT_PLAN.pp,
    dp: plan.dp ?? DEFAULT_PLAN.dp,
    ep: plan.ep ?? DEFAULT_PLAN.ep,
    redundantExperts: plan.redundantExperts ?? DEFAULT_PLAN.redundantExperts,
    expertImbalance: plan.expertImbalance ?? DEFAULT_PLAN.expertImbalance,
  };
}

/** Quantities derived from a valid plan. */
export interface ResolvedPlan extends ParallelPlan {
  /** GPUs per pipeline stage: tp x dp. */
  readonly gpusPerStage: number;
  /** GPUs of one replica: tp x dp x pp. */
  readonly gpus: number;
  /** Each expert is split over this many GPUs: tp x dp / ep. */
  readonly expertTp: number;
  /**
   * Expert slots held by one EP rank: ceil((experts + redundant) / ep). When EP does not divide the
   * slots, the spare slots hold further replicas (DeepSeek's 288 slots for 256 experts at EP 144).
   */
  readonly expertSlotsPerRank: number;
  /** Replica slots beyond the model's experts: expertSlotsPerRank x ep - experts. */
  readonly effectiveRedundantExperts: number;
  /** Decoder layers in each stage, in order. */
  readonly layersPerStage: readonly number[];
}

const divisorsOf = (n: number): string[] => {
  const result: string[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) result.push(String(d));
  return result;
};

/**
 * Why attention cannot be split `tp` ways (its heads, or its KV heads for GQA), with the degrees
 * that can; null when it can. `path` names the field in the caller's input.
 */
export function tensorParallelIssue(model: ModelSpec, tp: number, path: readonly string[]): Issue | null {
  const heads = model.attention.numHeads;
  if (heads % tp !== 0)
    return {
      code: "invalid-value",
      path: [...path],
      message: `TP ${tp} does not divide the ${heads} attention heads of ${model.id}`,
      allowed: divisorsOf(heads),
    };
  if (model.attention.kind === "gqa") {
    const kv = model.attention.numKvHeads;
    if (kv % tp !== 0 && tp % kv !== 0)
      return {
        code: "invalid-value",
        path: [...path],
        message: `TP ${tp} neither divides nor is a multiple of the ${kv} KV heads of ${model.id}`,
        allowed: divisorsOf(heads).filter((d) => kv % Number(d) === 0 || Number(d) % kv === 0),
      };
  }
  return null;
}

/** Checks a plan against a model; returns every problem found. */
export function validatePlan(model: ModelSpec, plan: ParallelPlan): Issue[] {
  const issues: Issue[] = [];
  for (const key of ["tp", "pp", "dp", "ep"] as const) {
    const value = plan[key];
    if (!Number.isInteger(value) || value < 1) {
      issues.push({
        code: "invalid-value",
        path: ["parallel", key],
        message: `${key} must be an integer >= 1, got ${value}`,
      });
    }
  }
  if (!Number.isInteger(plan.redundantExperts) || plan.redundantExperts < 0) {
    issues.push({
      code: "invalid-value",
      path: ["parallel", "redundantExperts"],
      message: `redundant experts must be an integer >= 0, got ${plan.redundantExperts}`,
    });
  }
  if (!(plan.expertImbalance >= 1) || !Number.isFinite(plan.expertImbalance)) {
    issues.push({
      code: "invalid-value",
      path: ["parallel", "expertImbalance"],
      message: `expert imbalance must be a number >= 1 (1 = balanced), got ${plan.expertImbalance}`,
    });
  } else if (plan.ep > 1 && plan.expertImbalance > plan.ep) {
    // The busiest of EP ranks holds at most every routed token: EP times the mean.
    issues.push({
      code: "invalid-value",
      path: ["parallel", "expertImbalance"],
      message: `expert imbalance ${plan.expertImbalance} exceeds EP ${plan.ep} (the busiest rank cannot take more than every token)`,
    });
  }
  if (issues.length > 0) return issues;

  const tpIssue = tensorParallelIssue(model, plan.tp, ["parallel", "tp"]);
  if (tpIssue) issues.push(tpIssue);
  if (plan.pp > model.numLayers) {
    issues.push({
      code: "invalid-value",
      path: ["parallel", "pp"],
      message: `PP ${plan.pp} exceeds the ${model.numLayers} layers of ${model.id}`,
    });
  }
  const perStage = plan.tp * plan.dp;
  if (!model.moe) {
    if (plan.ep > 1) {
      issues.push({
        code: "invalid-value",
        path: ["parallel", "ep"],
        message: `EP ${plan.ep} needs a mixture-of-experts model; ${model.id} is dense`,
        allowed: ["1"],
      });
    }
    return issues;
  }
  const experts = model.moe.numExperts;
  // Beyond E·EP extra slots every rank would hold every expert more than once.
  if (plan.redundantExperts > experts * plan.ep) {
    issues.push({
      code: "invalid-value",
      path: ["parallel", "redundantExperts"],
      message: `${plan.redundantExperts} redundant experts exceed experts x EP = ${experts * plan.ep} (every rank holding every expert)`,
    });
    return issues;
  }
  if (plan.ep > experts + plan.redundantExperts) {
    issues.push({
      code: "invalid-value",
      path: ["parallel", "ep"],
      message: `EP ${plan.ep} is larger than the ${experts} experts of ${model.id}${plan.redundantExperts > 0 ? ` plus ${plan.redundantExperts} redundant` : ""} (add redundant experts to fill ${plan.ep} ranks)`,
    });
  }
  if (perStage % plan.ep !== 0) {
    issues.push({
      code: "invalid-value",
      path: ["parallel", "ep"],
      message: `EP ${plan.ep} must divide the tp x dp = ${perStage} GPUs of a stage (raise dp for attention-DP)`,
      allowed: divisorsOf(perStage),
    });
  }
  return issues;
}

/** Derived sizes of a plan already checked by validatePlan. */
export function resolvePlan(model: ModelSpec, plan: ParallelPlan): ResolvedPlan {
  const gpusPerStage = plan.tp * plan.dp;
  const base = Math.floor(model.numLayers / plan.pp);
  const remainder = model.numLayers % plan.pp;
  const layersPerStage: number[] = [];
  for (let stage = 0; stage < plan.pp; stage++) layersPerStage.push(base + (stage < remainder ? 1 : 0));
  const experts = model.moe?.numExperts ?? 0;
  const slotsPerRank = model.moe ? Math.ceil((experts + plan.redundantExperts) / plan.ep) : 0;
  return {
    tp: plan.tp,
    pp: plan.pp,
    dp: plan.dp,
    ep: plan.ep,
    redundantExperts: plan.redundantExperts,
    expertImbalance: plan.expertImbalance,
    gpusPerStage,
    gpus: gpusPerStage * plan.pp,
    expertTp: gpusPerStage / plan.ep,
    expertSlotsPerRank: slotsPerRank,
    effectiveRedundantExperts: model.moe ? slotsPerRank * plan.ep - experts : 0,
    layersPerStage,
  };
}
