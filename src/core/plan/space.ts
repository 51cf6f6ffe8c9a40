import type { Dtype } from "../dtype.ts";
import type { ModelSpec } from "../model/types.ts";
import { completePlan, type ParallelPlan, validatePlan } from "../parallel/plan.ts";
import type { OverlapPolicy } from "../step/overlap.ts";
import type { ExpertLayout, PlanAxes, PlanMode, PlanSpec } from "./spec.ts";

/** A replica's hardware (index into the spec's list) and parallel plan. */
export interface Role {
  readonly hardware: number;
  readonly tp: number;
  readonly pp: number;
  readonly dp: number;
  readonly experts: ExpertLayout;
  readonly overlap: OverlapPolicy;
}

export const gpusOf = (role: Role): number => role.tp * role.pp * role.dp;

/** A configuration's hardware group: an aggregated replica's hardware, or hardwareCount + prefill·hardwareCount + decode. */
export const groupId = (
  hardwareCount: number,
  aggregated: boolean,
  prefillHardware: number,
  decodeHardware: number,
): number => (aggregated ? decodeHardware : hardwareCount + prefillHardware * hardwareCount + decodeHardware);

/** The engine's parallel plan for a role: EP over the stage's tp x dp GPUs when experts are "ep". */
export function parallelOf(role: Role, model: ModelSpec): ParallelPlan {
  const ep = role.experts === "ep" && model.moe ? role.tp * role.dp : 1;
  return completePlan({ tp: role.tp, pp: role.pp, dp: role.dp, ep });
}

/** A configuration, decoded from its index. */
export type Config =
  | {
      readonly mode: "aggregated";
      readonly index: number;
      readonly kvDtype: Dtype;
      readonly role: Role;
      readonly batch: number;
    }
  | {
      readonly mode: "disaggregated";
      readonly index: number;
      readonly kvDtype: Dtype;
      readonly prefill: Role;
      readonly decode: Role;
      readonly batch: number;
      readonly prefillReplicas: number;
      readonly decodeReplicas: number;
    };

/** A decoded index as plain numbers, written in place (the sweep's hot loop allocates nothing). */
export interface ConfigCursor {
  aggregated: boolean;
  kv: number;
  /** Role list positions: the aggregated role (in both fields), or the prefill and decode roles. */
  prefillRole: number;
  decodeRole: number;
  batch: number;
  prefillReplicas: number;
  decodeReplicas: number;
}

export const newCursor = (): ConfigCursor => ({
  aggregated: true,
  kv: 0,
  prefillRole: 0,
  decodeRole: 0,
  batch: 0,
  prefillReplicas: 0,
  decodeReplicas: 0,
});

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Version of the enumeration order; part of the spec hash, so shards of different versions never merge. */
export const SPACE_VERSION = 2;

/**
 * The planner's configuration space: a fixed, ordered enumeration, so a sweep is a range of integers
 * that any process can slice and shards of it agree.
 *
 * Roles are every combination of the axes (hardware, tp, pp, dp, experts, overlap; last fastest)
 * that the engine accepts for the model and that fits the GPU budget on its own; dense models keep
 * dp 1 and one expert layout. Order: aggregated configurations (kv format, role, batch), then
 * disaggregated ones (kv format, prefill role, decode role, batch, xPyD pair).
 */
export class PlanSpace {
  readonly axes: PlanAxes;
  /** Every valid role, in enumeration order; the role lists below index into it. */
  readonly roles: readonly Role[];
  readonly aggregatedRoles: readonly number[];
  readonly prefillRoles: readonly number[];
  readonly decodeRoles: readonly number[];
  /** Coprime (prefill replicas, decode replicas) pairs, in axis order. */
  readonly pairs: readonly (readonly [number, number])[];
  readonly aggregatedCount: number;
  readonly disaggregatedCount: number;

  constructor(spec: Pick<PlanSpec, "axes" | "model" | "budget">) {
    const { axes, model, budget } = spec;
    this.axes = axes;
    const roles: Role[] = [];
    const hardwareCount =
      Math.max(-1, ...axes.aggregatedHardware, ...axes.prefillHardware, ...axes.decodeHardware) + 1;
    const moe = model.moe !== null;
    const dps = moe ? axes.dp : [1];
    const layouts: readonly ExpertLayout[] = moe ? axes.experts : ["tp"];
    for (let hardware = 0; hardware < hardwareCount; hardware++) {
      const limit = Math.min(budget.gpus, budget.gpusPerHardware[hardware] ?? Number.POSITIVE_INFINITY);
      for (const tp of axes.tp)
        for (const pp of axes.pp)
          for (const dp of dps)
            for (const experts of layouts)
              for (const overlap of axes.overlap) {
                const role: Role = { hardware, tp, pp, dp, experts, overlap };
                if (gpusOf(role) > limit) continue;
                // EP over one GPU is the TP layout again.
                if (moe && experts === "ep" && tp * dp === 1 && axes.experts.includes("tp")) continue;
                if (validatePlan(model, parallelOf(role, model)).length > 0) continue;
                roles.push(role);
              }
    }
    this.roles = roles;
    const on = (list: readonly number[]) =>
      roles.flatMap((role, i) => (list.includes(role.hardware) ? [i] : []));
    const modes = new Set<PlanMode>(axes.modes);
    this.aggregatedRoles = modes.has("aggregated") ? on(axes.aggregatedHardware) : [];
    this.prefillRoles = modes.has("disaggregated") ? on(axes.prefillHardware) : [];
    this.decodeRoles = modes.has("disaggregated") ? on(axes.decodeHardware) : [];
    this.pairs = axes.prefillReplicas.flatMap((x) =>
      axes.decodeReplicas.filter((y) => gcd(x, y) === 1).map((y) => [x, y] as const),
    );
    const kvs = axes.kvDtype.length;
    this.aggregatedCount = kvs * this.aggregatedRoles.length * axes.batch.length;
    this.disaggregatedCount =
      kvs * this.prefillRoles.length * this.decodeRoles.length * axes.batch.length * this.pairs.length;
  }

  size(): number {
    return this.aggregatedCount + this.disaggregatedCount;
  }

  /** Decodes `index` into `cursor` (no allocation). */
  decode(index: number, cursor: ConfigCursor): void {
    const batches = this.axes.batch.length;
    if (index < this.aggregatedCount) {
      cursor.aggregated = true;
      cursor.batch = index % batches;
      let rest = Math.floor(index / batches);
      const role = this.aggregatedRoles[rest % this.aggregatedRoles.length] as number;
      rest = Math.floor(rest / this.aggregatedRoles.length);
      cursor.kv = rest;
      cursor.prefillRole = role;
      cursor.decodeRole = role;
      cursor.prefillReplicas = 0;
      cursor.decodeReplicas = 0;
      return;
    }
    let rest = index - this.aggregatedCount;
    const pair = this.pairs[rest % this.pairs.length] as readonly [number, number];
    rest = Math.floor(rest / this.pairs.length);
    cursor.aggregated = false;
    cursor.prefillReplicas = pair[0];
    cursor.decodeReplicas = pair[1];
    cursor.batch = rest % batches;
    rest = Math.floor(rest / batches);
    cursor.decodeRole = this.decodeRoles[rest % this.decodeRoles.length] as number;
    rest = Math.floor(rest / this.decodeRoles.length);
    cursor.prefillRole = this.prefillRoles[rest % this.prefillRoles.length] as number;
    cursor.kv = Math.floor(rest / this.prefillRoles.length);
  }

  /** The configuration at `index`, as an object (for output and tests; the sweep uses `decode`). */
  at(index: number): Config {
    if (!Number.isInteger(index) || index < 0 || index >= this.size())
      throw new RangeError(`configuration ${index} is outside 0..${this.size() - 1}`);
    const cursor = newCursor();
    this.decode(index, cursor);
    const kvDtype = this.axes.kvDtype[cursor.kv] as Dtype;
    const batch = this.axes.batch[cursor.batch] as number;
    if (cursor.aggregated)
      return { mode: "aggregated", index, kvDtype, role: this.roles[cursor.prefillRole] as Role, batch };
    return {
      mode: "disaggregated",
      index,
      kvDtype,
      prefill: this.roles[cursor.prefillRole] as Role,
      decode: this.roles[cursor.decodeRole] as Role,
      batch,
      prefillReplicas: cursor.prefillReplicas,
      decodeReplicas: cursor.decodeReplicas,
    };
  }
}

/** FNV-1a over a canonical JSON text: identifies a sweep (spec and enumeration version) across shards. */
export function specHash(spec: PlanSpec): string {
  // A predictor is its data (the digest), not the name of the file it came from.
  const hashed = spec.predictor ? { ...spec, predictor: { digest: spec.predictor.digest } } : spec;
  const text = JSON.stringify({ version: SPACE_VERSION, spec: hashed });
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `v${SPACE_VERSION}-${hash.toString(16).padStart(8, "0")}`;
}
