import type { Candidate } from "./evaluate.ts";
import { percentileOf, type Recheck } from "./recheck.ts";
import type { PlanSpec } from "./spec.ts";
import { distinctCandidates, modeBest, type PlanSummary } from "./summary.ts";

export interface Recommendation {
  readonly candidate: Candidate;
  readonly recheck: Recheck | null;
  /** Why it won, one sentence each. */
  readonly reasons: readonly string[];
}

/** The outcome of a plan: what the sweep kept, the serving re-checks and the pick. */
export interface PlanResult {
  readonly schemaVersion: 1;
  readonly specHash: string;
  readonly spaceSize: number;
  readonly summary: PlanSummary;
  readonly rechecks: readonly Recheck[];
  readonly recommended: Recommendation | null;
  /** Set when nothing meets the targets: what to change, with the closest configurations in `summary.closest`. */
  readonly noneMeets: string | null;
}

const MISS_PHRASES: Partial<Record<Candidate["status"], string>> = {
  "below-rate": "cannot sustain the rate within the budget",
  "misses-ttft": "misses the TTFT target",
  "misses-tpot": "misses the TPOT target",
};

const num = (x: number, digits = 0) =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (x: number) => `${num(x, x < 100 ? 1 : 0)} ms`;
const usd = (x: number | null) => (x === null ? "unknown" : `$${num(x, x < 1 ? 3 : 2)}`);

/** The targets a candidate meets analytically, as one clause. */
function targetClause(spec: PlanSpec, c: Candidate): string {
  const parts: string[] = [];
  if (spec.slo.ttftMs !== undefined) parts.push(`TTFT ${ms(c.ttftMs)} <= ${ms(spec.slo.ttftMs)}`);
  if (spec.slo.tpotMs !== undefined) parts.push(`TPOT ${ms(c.tpotMs)} <= ${ms(spec.slo.tpotMs)}`);
  if (spec.ratePerSec !== null)
    parts.push(`${num(c.requestsPerSec, 1)} req/s >= ${num(spec.ratePerSec, 1)} req/s needed`);
  return parts.length > 0
    ? `meets every target analytically: ${parts.join(", ")}`
    : "no latency or rate targets were given";
}

function recheckClause(spec: PlanSpec, r: Recheck): string {
  if (r.error !== null) return `the serving re-check could not run: ${r.error}`;
  const p = spec.slo.percentile;
  return (
    `serving re-check of one unit (${num(r.requests)} requests, Poisson at ${num(r.ratePerSec, 2)} req/s): ` +
    `TTFT p${p} ${ms(percentileOf(r.ttft, p))}, TPOT p${p} ${ms(percentileOf(r.tpot, p))}, ` +
    `${num(r.outputTokensPerSecPerGpu)} output tokens/s per GPU — ${r.meetsSlo ? "meets the targets" : "misses a target"}`
  );
}

function objectiveClause(
  spec: PlanSpec,
  c: Candidate,
  feasible: number,
  next: Candidate | undefined,
): string {
  if (spec.objective === "cost") {
    const versus = next ? ` (next: ${usd(next.usdPerMillionTokens)}, ${next.description})` : "";
    return `lowest cost among ${num(feasible)} configurations meeting every target: ${usd(c.usdPerMillionTokens)} per million output tokens${versus}`;
  }
  const versus = next ? ` (next: ${num(next.tokensPerSecPerGpu)}, ${next.description})` : "";
  return `highest throughput among ${num(feasible)} configurations meeting every target: ${num(c.tokensPerSecPerGpu)} output tokens/s per GPU${versus}`;
}

function alternativeClause(spec: PlanSpec, c: Candidate, summary: PlanSummary): string | null {
  const other = c.mode === "aggregated" ? "disaggregated" : "aggregated";
  const best = modeBest(spec, summary, other);
  if (!best) return spec.axes.modes.includes(other) ? `no ${other} configuration meets every target` : null;
  const figure =
    spec.objective === "cost"
      ? `${usd(best.usdPerMillionTokens)} per million tokens`
      : `${num(best.tokensPerSecPerGpu)} tokens/s per GPU`;
  const ratio =
    spec.objective === "cost"
      ? best.usdPerMillionTokens !== null && c.usdPerMillionTokens !== null
        ? ` (${num((best.usdPerMillionTokens / c.usdPerMillionTokens - 1) * 100, 1)}% dearer)`
        : ""
      : ` (${num((1 - best.tokensPerSecPerGpu / c.tokensPerSecPerGpu) * 100, 1)}% fewer tokens/s per GPU)`;
  return `best ${other} alternative: ${best.description} at ${figure}${ratio}`;
}

function deploymentClause(spec: PlanSpec, c: Candidate): string {
  const unit = c.mode === "aggregated" ? "replica" : `${c.prefillReplicas}P${c.decodeReplicas}D unit`;
  const rate =
    spec.ratePerSec === null ? "as many as the budget holds" : `enough for ${num(spec.ratePerSec, 1)} req/s`;
  return `deploy ${c.copies} x ${unit} of ${c.unitGpus} GPUs = ${c.gpus} of the ${spec.budget.gpus}-GPU budget (${rate}), ${num(c.outputTokensPerSec)} output tokens/s in all`;
}

/**
 * Picks the configuration to recommend: the best by the objective among those meeting every target
 * whose serving re-check also meets them (rechecks given in the order of `bestOverall`); when every
 * re-check misses, the analytic best, saying so.
 */
/** The serving re-check's picks: the best distinct configurations by the objective. */
export function recheckPicks(spec: PlanSpec, summary: PlanSummary): Candidate[] {
  return distinctCandidates(summary.best, spec.recheck.candidates);
}

export function recommend(
  spec: PlanSpec,
  summary: PlanSummary,
  rechecks: readonly Recheck[],
  specHash: string,
  spaceSize: number,
): PlanResult {
  const ranked = summary.best;
  const base = { schemaVersion: 1 as const, specHash, spaceSize, summary, rechecks };
  if (ranked.length === 0) {
    const closest = summary.closest[0];
    const noneMeets = closest
      ? `no configuration meets every target; the closest, ${closest.description}, ${MISS_PHRASES[closest.status] ?? "misses"} (worst target off by a factor of ${num(closest.shortfall, 2)})`
      : `no configuration fits the model within the budget (a decoding replica must also hold the longest request, ${num(spec.statistics.maxSequenceTokens)} tokens, on its own); add GPUs, hardware, pipeline stages (--pp) or a smaller KV format (--kv-dtype fp8)`;
    return { ...base, recommended: null, noneMeets };
  }
  // Only re-checked candidates can win once there are re-checks; the rest are alike in their decode side.
  const byIndex = new Map(rechecks.map((r) => [r.index, r]));
  const contenders = rechecks.length > 0 ? ranked.filter((c) => byIndex.has(c.index)) : ranked;
  const passing = contenders.findIndex((c) => byIndex.get(c.index)?.meetsSlo === true);
  const chosen = contenders[passing >= 0 ? passing : 0] as Candidate;
  const recheck = byIndex.get(chosen.index) ?? null;
  const next = distinctCandidates(ranked, ranked.length).find((c) => c.index !== chosen.index);
  const reasons = [
    targetClause(spec, chosen),
    ...(recheck ? [recheckClause(spec, recheck)] : []),
    objectiveClause(spec, chosen, summary.counts.ok, next),
  ];
  if (passing > 0)
    reasons.push(
      `ranked ${passing + 1} analytically: the ${passing === 1 ? "better-ranked configuration misses" : `${passing} better-ranked configurations miss`} a target in the serving re-check`,
    );
  if (passing < 0 && rechecks.length > 0)
    reasons.push(
      `none of the ${rechecks.length} re-checked configurations meets the targets in the serving simulation; this is the analytic best`,
    );
  const alternative = alternativeClause(spec, chosen, summary);
  if (alternative) reasons.push(alternative);
  reasons.push(deploymentClause(spec, chosen));
  return { ...base, recommended: { candidate: chosen, recheck, reasons }, noneMeets: null };
}
