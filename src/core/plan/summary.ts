import {
  BELOW_RATE,
  type Candidate,
  type Metrics,
  MISSES_TPOT,
  OK,
  STATUSES,
  type Status,
} from "./evaluate.ts";
import { ParetoFront, TopK } from "./front.ts";
import { groupId } from "./space.ts";
import type { PlanMode, PlanObjective, PlanSpec } from "./spec.ts";

/**
 * The configurations of one mode on one hardware choice (an aggregated replica's hardware, or a
 * prefill and a decode hardware): its Pareto front of tokens/s per GPU against tokens/s per user
 * over the configurations meeting the TTFT target and the rate (TPOT is the x axis, so a TPOT
 * target is a vertical line through it), and its best configuration meeting every target.
 */
export interface PlanGroup {
  /** aggregated: the hardware index; disaggregated: hardwareCount + prefill·hardwareCount + decode. */
  readonly id: number;
  readonly mode: PlanMode;
  readonly label: string;
  /** Configurations meeting every target. */
  meeting: number;
  front: Candidate[];
  best: Candidate | null;
}

/**
 * What a sweep (or a shard of it) keeps: counts per status, the groups, the best configurations by
 * the objective among those meeting every target, and the ones that came closest when they missed.
 * Every part merges exactly (fronts and top-K lists break exact ties by the lower index), so any
 * sharding gives the single run's summary.
 */
export interface PlanSummary {
  evaluated: number;
  counts: Record<Status, number>;
  /** Sorted by id. */
  groups: PlanGroup[];
  best: Candidate[];
  closest: Candidate[];
}

export const CLOSEST_KEPT = 5;

/** Rank for the objective, lower first: $ per million tokens (unknown last), or minus tokens/s per GPU. */
export function objectiveRank(
  objective: PlanObjective,
): (c: { usdPerMillionTokens: number | null; tokensPerSecPerGpu: number }) => number {
  return objective === "cost"
    ? (c) => c.usdPerMillionTokens ?? Number.POSITIVE_INFINITY
    : (c) => -c.tokensPerSecPerGpu;
}

type SummarySpec = Pick<PlanSpec, "objective" | "recheck" | "hardware" | "axes">;

/** Best configurations kept: four per re-check, so that enough distinct ones remain (see distinctCandidates). */
const bestKept = (spec: SummarySpec) => 4 * Math.max(1, spec.recheck.candidates);

/** The group of a configuration from its hardware. */
export function groupOf(
  spec: Pick<PlanSpec, "hardware">,
  aggregated: boolean,
  prefillHardware: number,
  decodeHardware: number,
): { id: number; mode: PlanMode; label: string } {
  const name = (h: number) => spec.hardware[h]?.name ?? String(h);
  const id = groupId(spec.hardware.length, aggregated, prefillHardware, decodeHardware);
  return aggregated
    ? { id, mode: "aggregated", label: `aggregated ${name(decodeHardware)}` }
    : {
        id,
        mode: "disaggregated",
        label: `${name(prefillHardware)} prefill + ${name(decodeHardware)} decode`,
      };
}

interface GroupState {
  readonly id: number;
  readonly mode: PlanMode;
  readonly label: string;
  meeting: number;
  readonly front: ParetoFront<Candidate>;
  readonly best: TopK<Candidate>;
}

/** Accumulates a summary; the sweep feeds it evaluated figures, merges feed it other summaries. */
export class SummaryBuilder {
  private evaluated = 0;
  private readonly counts = new Float64Array(STATUSES.length);
  private readonly groups = new Map<number, GroupState>();
  private readonly best: TopK<Candidate>;
  private readonly closest: TopK<Candidate>;
  private readonly rank: (c: { usdPerMillionTokens: number | null; tokensPerSecPerGpu: number }) => number;
  /** The objective's rank from raw figures (objectiveRank on a candidate gives the same number). */
  private readonly costObjective: boolean;

  constructor(spec: SummarySpec) {
    this.rank = objectiveRank(spec.objective);
    this.costObjective = spec.objective === "cost";
    this.best = new TopK<Candidate>(bestKept(spec), this.rank);
    this.closest = new TopK<Candidate>(CLOSEST_KEPT, (c) => c.shortfall);
    // Every hardware choice the axes allow, so that groups where nothing fits are reported too.
    const { axes } = spec;
    const add = (aggregated: boolean, prefill: number, decode: number) => {
      const key = groupOf(spec, aggregated, prefill, decode);
      this.group(key.id, key.mode, key.label);
    };
    if (axes.modes.includes("aggregated")) for (const h of axes.aggregatedHardware) add(true, h, h);
    if (axes.modes.includes("disaggregated"))
      for (const p of axes.prefillHardware) for (const d of axes.decodeHardware) add(false, p, d);
  }

  private group(id: number, mode: PlanMode, label: string): GroupState {
    let group = this.groups.get(id);
    if (!group) {
      group = {
        id,
        mode,
        label,
        meeting: 0,
        front: new ParetoFront(),
        best: new TopK<Candidate>(1, this.rank),
      };
      this.groups.set(id, group);
    }
    return group;
  }

  /**
   * Counts one evaluated configuration and keeps it where it belongs; `build` makes its output record
   * (called only when a selection takes it).
   */
  addEvaluated(index: number, status: number, m: Metrics, build: (index: number) => Candidate | null): void {
    this.evaluated++;
    this.counts[status] = (this.counts[status] as number) + 1;
    if (status !== OK && status < BELOW_RATE) return;
    // No closures here: V8 would allocate their context on every call, rejected or not.
    const group = this.groups.get(m.group) as GroupState;
    let candidate: Candidate | null | undefined;
    if (
      (status === OK || status === MISSES_TPOT) &&
      group.front.admits(m.tokensPerSecPerUser, m.tokensPerSecPerGpu, index)
    ) {
      candidate = build(index);
      if (candidate) group.front.add(candidate);
    }
    if (status === OK) {
      group.meeting++;
      const rank = this.costObjective
        ? Number.isFinite(m.usdPerMillionTokens)
          ? m.usdPerMillionTokens
          : Number.POSITIVE_INFINITY
        : -m.tokensPerSecPerGpu;
      if (group.best.admits(rank, index)) {
        if (candidate === undefined) candidate = build(index);
        if (candidate) group.best.add(candidate);
      }
      if (this.best.admits(rank, index)) {
        if (candidate === undefined) candidate = build(index);
        if (candidate) this.best.add(candidate);
      }
    } else if (this.closest.admits(m.shortfall, index)) {
      candidate = build(index);
      if (candidate) this.closest.add(candidate);
    }
  }

  addSummary(part: PlanSummary): void {
    this.evaluated += part.evaluated;
    STATUSES.forEach((status, i) => {
      this.counts[i] = (this.counts[i] as number) + part.counts[status];
    });
    for (const g of part.groups) {
      const group = this.group(g.id, g.mode, g.label);
      group.meeting += g.meeting;
      for (const c of g.front) group.front.add(c);
      if (g.best) group.best.add(g.best);
    }
    for (const c of part.best) this.best.add(c);
    for (const c of part.closest) this.closest.add(c);
  }

  summary(): PlanSummary {
    return {
      evaluated: this.evaluated,
      counts: Object.fromEntries(STATUSES.map((status, i) => [status, this.counts[i] as number])) as Record<
        Status,
        number
      >,
      groups: [...this.groups.values()]
        .sort((a, b) => a.id - b.id)
        .map((g) => ({
          id: g.id,
          mode: g.mode,
          label: g.label,
          meeting: g.meeting,
          front: [...g.front.points],
          best: g.best.items[0] ?? null,
        })),
      best: [...this.best.items],
      closest: [...this.closest.items],
    };
  }
}

export function mergeSummaries(spec: SummarySpec, parts: readonly PlanSummary[]): PlanSummary {
  const builder = new SummaryBuilder(spec);
  for (const part of parts) builder.addSummary(part);
  return builder.summary();
}

/** The Pareto front of one mode over every hardware choice (exact: the front of the groups' fronts). */
export function modeFront(summary: PlanSummary, mode: PlanMode): Candidate[] {
  const front = new ParetoFront<Candidate>();
  for (const g of summary.groups) if (g.mode === mode) for (const c of g.front) front.add(c);
  return front.points;
}

/** The best configuration of one mode meeting every target, by the objective. */
export function modeBest(
  spec: Pick<PlanSpec, "objective">,
  summary: PlanSummary,
  mode: PlanMode,
): Candidate | null {
  const top = new TopK<Candidate>(1, objectiveRank(spec.objective));
  for (const g of summary.groups) if (g.mode === mode && g.best) top.add(g.best);
  return top.items[0] ?? null;
}

/** What a configuration's decode side is: configurations alike in it perform alike in decode. */
const decodeSignature = (c: Candidate) =>
  `${c.mode} ${c.kvDtype} ${c.decode.hardware} ${c.decode.tp} ${c.decode.pp} ${c.decode.dp} ${c.decode.ep} ${c.decode.overlap} ${c.batch}`;

/** The first `count` candidates whose decode sides differ (the serving re-check's picks). */
export function distinctCandidates(ranked: readonly Candidate[], count: number): Candidate[] {
  const seen = new Set<string>();
  const picked: Candidate[] = [];
  for (const c of ranked) {
    if (picked.length >= count) break;
    const signature = decodeSignature(c);
    if (seen.has(signature)) continue;
    seen.add(signature);
    picked.push(c);
  }
  return picked;
}
