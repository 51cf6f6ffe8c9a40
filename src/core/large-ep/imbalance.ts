import type { Issue } from "../issues.ts";

/**
 * How routed tokens spread over the experts: evenly, by a power law of the expert's popularity
 * rank, or as measured per-expert token counts.
 */
export type ImbalanceSpec =
  | { readonly kind: "uniform" }
  | { readonly kind: "power-law"; readonly alpha: number }
  | { readonly kind: "histogram"; readonly tokensPerExpert: readonly number[]; readonly source: string };

export const IMBALANCE_FORMS = ["uniform", "power-law:<alpha>", "histogram:<file>"] as const;

/** Expert loads ∝ i^-alpha for popularity ranks i = 1..E (Zipf's law; alpha 0 is uniform). */
export function powerLawLoads(numExperts: number, alpha: number): number[] {
  const loads = new Array<number>(numExperts);
  for (let i = 0; i < numExperts; i++) loads[i] = (i + 1) ** -alpha;
  return loads;
}

/** Per-expert loads of a spec, before replication and placement. */
export function expertLoads(spec: ImbalanceSpec, numExperts: number): number[] {
  switch (spec.kind) {
    case "uniform":
      return new Array<number>(numExperts).fill(1);
    case "power-law":
      return powerLawLoads(numExperts, spec.alpha);
    case "histogram":
      return [...spec.tokensPerExpert];
  }
}

/** Problems with a spec for a model with `numExperts` routed experts. */
export function imbalanceIssues(spec: ImbalanceSpec, numExperts: number): Issue[] {
  const issues: Issue[] = [];
  if (spec.kind === "power-law" && !(Number.isFinite(spec.alpha) && spec.alpha >= 0)) {
    issues.push({
      code: "invalid-value",
      path: ["imbalance"],
      message: `power-law alpha must be a finite number >= 0, got ${spec.alpha}`,
      allowed: [...IMBALANCE_FORMS],
    });
  }
  if (spec.kind === "histogram") {
    const counts = spec.tokensPerExpert;
    if (counts.length !== numExperts) {
      issues.push({
        code: "invalid-value",
        path: ["imbalance", "histogram"],
        file: spec.source,
        message: `the histogram has ${counts.length} per-expert token counts; the model has ${numExperts} routed experts`,
      });
    }
    const bad = counts.findIndex((count) => !(Number.isFinite(count) && count >= 0));
    if (bad >= 0) {
      issues.push({
        code: "invalid-value",
        path: ["imbalance", "histogram", bad],
        file: spec.source,
        message: `token counts must be finite numbers >= 0, got ${counts[bad]} for expert ${bad}`,
      });
    } else if (counts.length > 0 && counts.every((count) => count === 0)) {
      issues.push({
        code: "invalid-value",
        path: ["imbalance", "histogram"],
        file: spec.source,
        message: "every token count is 0; the histogram needs at least one routed token",
      });
    }
  }
  return issues;
}

/** Replica count per expert after adding `redundant` copies of the hottest experts. */
export function replicateHottest(loads: readonly number[], redundant: number): number[] {
  const replicas = new Array<number>(loads.length).fill(1);
  // EPLB (deepseek-ai/EPLB eplb.py replicate_experts): each extra slot goes to the expert with the
  // highest load per replica.
  for (let r = 0; r < redundant; r++) {
    let best = 0;
    for (let e = 1; e < loads.length; e++) {
      if (
        (loads[e] as number) / (replicas[e] as number) >
        (loads[best] as number) / (replicas[best] as number)
      )
        best = e;
    }
    replicas[best] = (replicas[best] as number) + 1;
  }
  return replicas;
}

/**
 * Rank loads after placing every replica (load = expert load / its replica count) on `ranks`
 * ranks of slots/ranks slots each: heaviest replica first onto the least-loaded rank that still has
 * a free slot (EPLB's balanced_packing, deepseek-ai/EPLB eplb.py).
 */
export function placeReplicas(
  loads: readonly number[],
  replicas: readonly number[],
  ranks: number,
): number[] {
  const items: number[] = [];
  loads.forEach((load, e) => {
    const copies = replicas[e] as number;
    for (let c = 0; c < copies; c++) items.push(load / copies);
  });
  items.sort((a, b) => b - a);
  const slotsPerRank = Math.ceil(items.length / ranks);
  const rankLoad = new Array<number>(ranks).fill(0);
  const rankSlots = new Array<number>(ranks).fill(0);
  for (const item of items) {
    let target = -1;
    for (let r = 0; r < ranks; r++) {
      if ((rankSlots[r] as number) >= slotsPerRank) continue;
      if (target < 0 || (rankLoad[r] as number) < (rankLoad[target] as number)) target = r;
    }
    rankLoad[target] = (rankLoad[target] as number) + item;
    rankSlots[target] = (rankSlots[target] as number) + 1;
  }
  return rankLoad;
}

/**
 * The engine's busiest-rank factor (ParallelPlan.expertImbalance) for `ranks` EP ranks: the
 * hottest experts get the `redundant` extra slots, replicas are packed onto ranks, and the factor
 * is max rank load / mean rank load. Loads are expected token counts, so this is the large-batch
 * limit: sampling noise of a small batch is not added.
 *
 * @example
 * busiestRankFactor({ kind: "power-law", alpha: 1 }, 4, 2, 0); // 1.2: ranks {1, 1/4} and {1/2, 1/3}
 */
export function busiestRankFactor(
  spec: ImbalanceSpec,
  numExperts: number,
  ranks: number,
  redundant: number,
): number {
  if (spec.kind === "uniform") return 1;
  const loads = expertLoads(spec, numExperts);
  const rankLoad = placeReplicas(loads, replicateHottest(loads, redundant), ranks);
  const total = rankLoad.reduce((sum, load) => sum + load, 0);
  return Math.max(1, Math.max(...rankLoad) / (total / ranks));
}
