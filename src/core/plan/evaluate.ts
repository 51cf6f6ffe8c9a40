import type { Dtype } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import { InputError } from "../issues.ts";
import type { Predictor } from "../predictor/types.ts";
import { kvLinkBytesPerSec } from "../sim/serve/deployment.ts";
import type { StepDtypes } from "../step/dtypes.ts";
import { kvBytesPerTokenWholeModel } from "../step/kv-capacity.ts";
import type { MemoryReport } from "../step/memory.ts";
import { simulateStep } from "../step/simulate.ts";
import type { StepWorkload } from "../step/workload.ts";
import {
  type Config,
  type ConfigCursor,
  gpusOf,
  groupId,
  newCursor,
  PlanSpace,
  parallelOf,
  type Role,
} from "./space.ts";
import type { PlanSpec } from "./spec.ts";

/** Why a configuration was set aside, in the order the checks run; 0 = meets every target. */
export const STATUSES = [
  "ok",
  "invalid-plan",
  "does-not-fit",
  "batch-not-divisible",
  "no-kv-link",
  "over-budget",
  "below-rate",
  "misses-ttft",
  "misses-tpot",
] as const;
export type Status = (typeof STATUSES)[number];
export const OK = 0;
const INVALID = 1;
const DOES_NOT_FIT = 2;
const NOT_DIVISIBLE = 3;
const NO_KV_LINK = 4;
export const OVER_BUDGET = 5;
export const BELOW_RATE = 6;
export const MISSES_TTFT = 7;
export const MISSES_TPOT = 8;

/**
 * Analytic figures of one configuration at full load, written in place by `evaluateInto`. A unit is
 * one aggregated replica or one xPyD group; the deployment runs `copies` identical units.
 */
export interface Metrics {
  /** The configuration's hardware group (see groupId in summary.ts), set first. */
  group: number;
  ttftMs: number;
  tpotMs: number;
  /** Requests per second one unit sustains. */
  unitRequestsPerSec: number;
  unitGpus: number;
  /** $ per hour of one unit; NaN when a price is unknown. */
  unitUsdPerHour: number;
  /** Units deployed: enough for the rate, else as many as the budget holds (0 when none fits). */
  copies: number;
  tokensPerSecPerGpu: number;
  tokensPerSecPerUser: number;
  /**
   * $ per million output tokens: of the copies at full load, or, with a rate target, of the copies
   * the rate needs serving just that rate. NaN when a price is unknown.
   */
  usdPerMillionTokens: number;
  /** Worst ratio of achieved to required over the targets (1 when all are met). */
  shortfall: number;
}

export const newMetrics = (): Metrics => ({
  group: -1,
  ttftMs: Number.NaN,
  tpotMs: Number.NaN,
  unitRequestsPerSec: Number.NaN,
  unitGpus: Number.NaN,
  unitUsdPerHour: Number.NaN,
  copies: Number.NaN,
  tokensPerSecPerGpu: Number.NaN,
  tokensPerSecPerUser: Number.NaN,
  usdPerMillionTokens: Number.NaN,
  shortfall: Number.NaN,
});

/** A role as output shows it. */
export interface RoleView {
  readonly hardware: string;
  readonly tp: number;
  readonly pp: number;
  readonly dp: number;
  readonly ep: number;
  readonly overlap: string;
  readonly gpus: number;
}

export interface MemoryView {
  readonly weightsBytes: number;
  readonly kvCacheBytes: number;
  readonly activationsBytes: number;
  readonly usableBytes: number;
}

/** An evaluated configuration for output: what it is and its analytic figures. */
export interface Candidate {
  readonly index: number;
  readonly mode: "aggregated" | "disaggregated";
  readonly description: string;
  readonly kvDtype: Dtype;
  /** The aggregated replica, or the prefill replica of a disaggregated unit. */
  readonly prefill: RoleView;
  /** The aggregated replica again, or the decode replica. */
  readonly decode: RoleView;
  /** Sequences per attention-DP group of a decoding replica. */
  readonly batch: number;
  readonly prefillReplicas: number;
  readonly decodeReplicas: number;
  readonly copies: number;
  readonly unitGpus: number;
  readonly gpus: number;
  readonly ttftMs: number;
  readonly tpotMs: number;
  readonly tokensPerSecPerGpu: number;
  readonly tokensPerSecPerUser: number;
  /** Output tokens and requests per second the whole deployment sustains. */
  readonly outputTokensPerSec: number;
  readonly requestsPerSec: number;
  readonly usdPerHour: number | null;
  readonly usdPerMillionTokens: number | null;
  readonly status: Status;
  /** Per GPU of a decoding (or aggregated) replica's heaviest stage, every sequence at mean prompt + output length. */
  readonly decodeMemory: MemoryView;
  /** Worst ratio of achieved to required over the targets (1 when every target is met). */
  readonly shortfall: number;
}

/** Per-role prefill figures (one iteration of `promptsPerStep` prompts on every attention-DP group). */
interface PrefillTable {
  readonly status: Int8Array;
  readonly latencyMs: Float64Array;
  readonly slowestStageMs: Float64Array;
  readonly activationBytes: Float64Array;
}

/** Per-role, per-batch decode figures. */
interface DecodeTable {
  readonly status: Int8Array;
  readonly tpotMs: Float64Array;
  readonly slowestStageMs: Float64Array;
  /** Per GPU of the heaviest stage: weights, KV at full length and activations of the decode step, and the usable HBM. */
  readonly weightBytes: Float64Array;
  readonly kvBytes: Float64Array;
  readonly activationBytes: Float64Array;
  readonly usableBytes: Float64Array;
}

const UNKNOWN = -1;

/** Prompts of mean length one attention-DP group prefills per iteration: ⌊maxBatchedTokens / ISL⌋, at least 1. */
export const promptsPerIteration = (spec: Pick<PlanSpec, "maxBatchedTokens" | "statistics">): number =>
  Math.max(1, Math.floor(spec.maxBatchedTokens / spec.statistics.meanPromptTokens));

const slowest = (stageMs: readonly number[]) => {
  let max = 0;
  for (const ms of stageMs) if (ms > max) max = ms;
  return max;
};

/**
 * Analytic evaluation of planner configurations. A role's prefill iteration and its decode step per
 * batch are priced by `simulateStep` once (lazily, memoised in typed arrays); every configuration
 * built from them is then arithmetic. Steady state at full load, as static planners estimate it
 * (AIConfigurator, DistServe's placement search): no queueing delay in TTFT; the serving re-check
 * (`recheck.ts`) measures that.
 *
 * - Prefill: each attention-DP group runs `max(1, floor(maxBatchedTokens / ISL))` prompts per
 *   iteration; TTFT is the iteration's latency through every stage, the replica admits that many
 *   prompts per group per slowest-stage time (stages pipeline).
 * - Decode at batch b per group: the step at the mean decode context (`meanDecodeContextTokens`),
 *   b/pp sequences per micro-batch, pp micro-batches in flight; TPOT = pp x slowest stage. Memory:
 *   weights + KV of b sequences at mean prompt + mean output length + activations must fit.
 * - Aggregated replica (continuous batching, prefills pre-empt decodes as vLLM's default): per group,
 *   b requests complete every OSL·TPOT_step + (b / prompts per iteration)·prefill stage, which is the
 *   effective TPOT; TTFT = prefill latency + one decode stage. Memory also holds the prefill's activations.
 * - Disaggregated xPyD unit: rate = min(x·prefill rate, y·decode rate), TPOT = decode step, TTFT =
 *   prefill + the KV hand-off (ISL · KV bytes per token over the slower NICs of the smaller replica).
 */
export class PlanEvaluator {
  readonly space: PlanSpace;
  readonly spec: PlanSpec;
  private readonly prefillTable: PrefillTable;
  private readonly decodeTable: DecodeTable;
  private readonly promptsPerStep: number;
  /** Per kv format, per hardware: KV bytes one token takes for the whole model. */
  private readonly kvBytesPerToken: Float64Array;
  private readonly cursor = newCursor();
  private readonly scratch = newMetrics();
  private readonly roleGpus: Int32Array;

  private readonly predictor: Predictor | undefined;

  /** `predictor` prices the steps (default: the roofline); it must be the one `spec.predictor` names. */
  constructor(spec: PlanSpec, predictor?: Predictor) {
    // The spec names the predictor (and its hash covers it): a result must never claim other data.
    if ((spec.predictor?.name ?? "roofline") !== (predictor?.name ?? "roofline"))
      throw new Error(
        `the predictor ${predictor?.name ?? "roofline"} is not the one the spec names (${spec.predictor?.name ?? "roofline"})`,
      );
    this.spec = spec;
    this.predictor = predictor;
    this.space = new PlanSpace(spec);
    const roleSlots = spec.axes.kvDtype.length * this.space.roles.length;
    const decodeSlots = roleSlots * spec.axes.batch.length;
    this.prefillTable = {
      status: new Int8Array(roleSlots).fill(UNKNOWN),
      latencyMs: new Float64Array(roleSlots),
      slowestStageMs: new Float64Array(roleSlots),
      activationBytes: new Float64Array(roleSlots),
    };
    this.decodeTable = {
      status: new Int8Array(decodeSlots).fill(UNKNOWN),
      tpotMs: new Float64Array(decodeSlots),
      slowestStageMs: new Float64Array(decodeSlots),
      weightBytes: new Float64Array(decodeSlots),
      kvBytes: new Float64Array(decodeSlots),
      activationBytes: new Float64Array(decodeSlots),
      usableBytes: new Float64Array(decodeSlots),
    };
    this.promptsPerStep = promptsPerIteration(spec);
    this.kvBytesPerToken = Float64Array.from(
      spec.axes.kvDtype.flatMap((kvCache) =>
        spec.hardware.map((hardware) =>
          kvBytesPerTokenWholeModel(spec.model, hardware, this.dtypes(kvCache)),
        ),
      ),
    );
    this.roleGpus = Int32Array.from(this.space.roles, gpusOf);
  }

  size(): number {
    return this.space.size();
  }

  private dtypes(kvCache: Dtype): Partial<StepDtypes> {
    return { ...this.spec.dtypes, kvCache };
  }

  private step(
    role: Role,
    kv: number,
    workload: StepWorkload,
  ): { stageMs: readonly number[]; latencyMs: number; memory: MemoryReport } | null {
    try {
      const result = simulateStep({
        model: this.spec.model,
        hardware: this.spec.hardware[role.hardware] as HardwareSpec,
        parallel: parallelOf(role, this.spec.model),
        workload,
        overlap: role.overlap,
        dtypes: this.dtypes(this.spec.axes.kvDtype[kv] as Dtype),
        memoryUtilization: this.spec.memoryUtilization,
        allReduce: this.spec.allReduce,
        detail: "totals",
        ignoreMemory: true,
        ...(this.predictor ? { predictor: this.predictor } : {}),
      });
      const totals = result.totals;
      if (!totals) return null;
      // The host's time per iteration lands on every pipeline stage, as in the serving simulator.
      const hostMs = this.spec.hostOverheadMs ?? 0;
      const stageMs = hostMs > 0 ? totals.stageMs.map((ms) => ms + hostMs) : totals.stageMs;
      return { stageMs, latencyMs: totals.latencyMs + hostMs * stageMs.length, memory: result.memory };
    } catch (error) {
      // The engine refuses the plan on this hardware (a figure it needs is missing): the role is invalid.
      if (error instanceof InputError || error instanceof RangeError) return null;
      throw error;
    }
  }

  private prefillStatus(kv: number, roleIndex: number): number {
    const slot = kv * this.space.roles.length + roleIndex;
    const table = this.prefillTable;
    const known = table.status[slot] as number;
    if (known !== UNKNOWN) return known;
    const role = this.space.roles[roleIndex] as Role;
    const isl = Math.max(1, Math.round(this.spec.statistics.meanPromptTokens));
    const step = this.step(role, kv, {
      prefill: { sequences: this.promptsPerStep, newTokens: isl, cachedTokens: 0 },
      decode: null,
    });
    let status = INVALID;
    if (step) {
      status = step.memory.fits ? OK : DOES_NOT_FIT;
      table.latencyMs[slot] = step.latencyMs;
      table.slowestStageMs[slot] = slowest(step.stageMs);
      table.activationBytes[slot] = step.memory.activationsBytes;
    }
    table.status[slot] = status;
    return status;
  }

  private decodeStatus(kv: number, roleIndex: number, batchIndex: number): number {
    const slot = (kv * this.space.roles.length + roleIndex) * this.spec.axes.batch.length + batchIndex;
    const table = this.decodeTable;
    const known = table.status[slot] as number;
    if (known !== UNKNOWN) return known;
    const role = this.space.roles[roleIndex] as Role;
    const batch = this.spec.axes.batch[batchIndex] as number;
    const perMicroBatch = batch / role.pp;
    let status: number;
    if (!Number.isInteger(perMicroBatch)) status = NOT_DIVISIBLE;
    else {
      const { meanDecodeContextTokens, meanPromptTokens, meanOutputTokens } = this.spec.statistics;
      const timed = this.step(role, kv, {
        prefill: null,
        decode: { sequences: perMicroBatch, contextTokens: Math.max(1, Math.round(meanDecodeContextTokens)) },
      });
      const full = this.step(role, kv, {
        prefill: null,
        decode: {
          sequences: perMicroBatch,
          contextTokens: Math.max(1, Math.round(meanPromptTokens + meanOutputTokens)),
        },
      });
      if (!timed || !full) status = INVALID;
      else {
        const stage = slowest(timed.stageMs);
        table.slowestStageMs[slot] = stage;
        table.tpotMs[slot] = role.pp * stage;
        table.weightBytes[slot] = full.memory.weightsBytes;
        table.kvBytes[slot] = full.memory.kvCacheBytes;
        table.activationBytes[slot] = full.memory.activationsBytes;
        table.usableBytes[slot] = full.memory.usableBytes;
        // The longest request must fit the KV cache on its own: KV per token per GPU from the full-length step.
        const fullContext = Math.max(1, Math.round(meanPromptTokens + meanOutputTokens));
        const kvPerToken = full.memory.kvCacheBytes / (batch * fullContext);
        const roomForLongest =
          full.memory.weightsBytes +
            full.memory.activationsBytes +
            this.spec.statistics.maxSequenceTokens * kvPerToken <=
          full.memory.usableBytes;
        status = full.memory.fits && roomForLongest ? OK : DOES_NOT_FIT;
      }
    }
    table.status[slot] = status;
    return status;
  }

  /**
   * Evaluates configuration `index` into `out` and returns its status (an index into STATUSES).
   * `out` holds figures from the first status at or after "over-budget"; before that, they are stale.
   */
  evaluateInto(index: number, out: Metrics): number {
    const c: ConfigCursor = this.cursor;
    this.space.decode(index, c);
    const { spec } = this;
    const roleCount = this.space.roles.length;
    const batchCount = spec.axes.batch.length;
    const batch = spec.axes.batch[c.batch] as number;
    const osl = spec.statistics.meanOutputTokens;
    const prefillRole = this.space.roles[c.prefillRole] as Role;
    const decodeRole = this.space.roles[c.decodeRole] as Role;
    out.group = groupId(spec.hardware.length, c.aggregated, prefillRole.hardware, decodeRole.hardware);
    const decodeSlot = (c.kv * roleCount + c.decodeRole) * batchCount + c.batch;
    const prefillSlot = c.kv * roleCount + c.prefillRole;
    const decodeStatus = this.decodeStatus(c.kv, c.decodeRole, c.batch);
    if (decodeStatus !== OK) return decodeStatus;
    const prefillStatus = this.prefillStatus(c.kv, c.prefillRole);
    if (prefillStatus !== OK) return prefillStatus;
    const d = this.decodeTable;
    const p = this.prefillTable;
    let unitRps: number;
    let unitUsdPerHour: number;
    let prefillGpus: number;
    let decodeGpus: number;
    if (c.aggregated) {
      const activations = Math.max(
        d.activationBytes[decodeSlot] as number,
        p.activationBytes[prefillSlot] as number,
      );
      const resident = (d.weightBytes[decodeSlot] as number) + (d.kvBytes[decodeSlot] as number);
      if (resident + activations > (d.usableBytes[decodeSlot] as number)) return DOES_NOT_FIT;
      const cycleMs =
        osl * (d.tpotMs[decodeSlot] as number) +
        (batch / this.promptsPerStep) * (p.slowestStageMs[prefillSlot] as number);
      out.tpotMs = cycleMs / osl;
      out.ttftMs = (p.latencyMs[prefillSlot] as number) + (d.slowestStageMs[decodeSlot] as number);
      unitRps = (decodeRole.dp * batch * 1000) / cycleMs;
      prefillGpus = 0;
      decodeGpus = this.roleGpus[c.decodeRole] as number;
      unitUsdPerHour = decodeGpus * this.price(decodeRole.hardware);
    } else {
      const link = kvLinkBytesPerSec(
        spec.hardware[prefillRole.hardware] as HardwareSpec,
        spec.hardware[decodeRole.hardware] as HardwareSpec,
        this.roleGpus[c.prefillRole] as number,
        this.roleGpus[c.decodeRole] as number,
        spec.kvLink.bandwidthBytesPerSecPerGpu ?? undefined,
      );
      if (!(link > 0)) return NO_KV_LINK;
      const kvBytes = this.kvBytesPerToken[c.kv * spec.hardware.length + prefillRole.hardware] as number;
      const transferMs =
        ((spec.statistics.meanPromptTokens * kvBytes) / link + spec.kvLink.latencySec) * 1000;
      const prefillRps =
        (prefillRole.dp * this.promptsPerStep * 1000) / (p.slowestStageMs[prefillSlot] as number);
      const decodeRps = (decodeRole.dp * batch * 1000) / ((d.tpotMs[decodeSlot] as number) * osl);
      unitRps = Math.min(c.prefillReplicas * prefillRps, c.decodeReplicas * decodeRps);
      out.tpotMs = d.tpotMs[decodeSlot] as number;
      out.ttftMs = (p.latencyMs[prefillSlot] as number) + transferMs;
      prefillGpus = c.prefillReplicas * (this.roleGpus[c.prefillRole] as number);
      decodeGpus = c.decodeReplicas * (this.roleGpus[c.decodeRole] as number);
      unitUsdPerHour =
        prefillGpus * this.price(prefillRole.hardware) + decodeGpus * this.price(decodeRole.hardware);
    }
    const unitGpus = prefillGpus + decodeGpus;
    out.unitGpus = unitGpus;
    out.unitUsdPerHour = unitUsdPerHour;
    out.unitRequestsPerSec = unitRps;
    out.tokensPerSecPerGpu = (unitRps * osl) / unitGpus;
    out.tokensPerSecPerUser = 1000 / out.tpotMs;
    // Units the budget holds: in all, and of each hardware the unit uses.
    const { budget } = spec;
    let maxCopies = Math.floor(budget.gpus / unitGpus);
    maxCopies = Math.min(
      maxCopies,
      this.copiesOf(
        prefillRole.hardware,
        prefillGpus + (prefillRole.hardware === decodeRole.hardware ? decodeGpus : 0),
      ),
    );
    if (prefillRole.hardware !== decodeRole.hardware)
      maxCopies = Math.min(maxCopies, this.copiesOf(decodeRole.hardware, decodeGpus));
    if (maxCopies < 1) {
      out.copies = 0;
      out.shortfall = Number.POSITIVE_INFINITY;
      return OVER_BUDGET;
    }
    const rate = spec.ratePerSec;
    const copies = rate === null ? maxCopies : Math.ceil(rate / unitRps);
    out.copies = copies;
    // With a rate, the deployment pays for its copies whether busy or not: $ per token at the rate.
    out.usdPerMillionTokens = ((copies * unitUsdPerHour) / ((rate ?? copies * unitRps) * osl * 3600)) * 1e6;
    const ttftRatio = spec.slo.ttftMs === undefined ? 0 : out.ttftMs / spec.slo.ttftMs;
    const tpotRatio = spec.slo.tpotMs === undefined ? 0 : out.tpotMs / spec.slo.tpotMs;
    const rateRatio = rate === null ? 0 : rate / (maxCopies * unitRps);
    out.shortfall = Math.max(1, ttftRatio, tpotRatio, rateRatio);
    if (copies > maxCopies) return BELOW_RATE;
    if (ttftRatio > 1) return MISSES_TTFT;
    if (tpotRatio > 1) return MISSES_TPOT;
    return OK;
  }

  private price(hardware: number): number {
    return this.spec.pricesUsdPerGpuHour[hardware] ?? Number.NaN;
  }

  private copiesOf(hardware: number, gpus: number): number {
    const limit = this.spec.budget.gpusPerHardware[hardware];
    return limit === null || limit === undefined || gpus === 0
      ? Number.POSITIVE_INFINITY
      : Math.floor(limit / gpus);
  }

  private decodeMemory(index: number): MemoryView {
    const c = this.cursor;
    this.space.decode(index, c);
    const decodeSlot =
      (c.kv * this.space.roles.length + c.decodeRole) * this.spec.axes.batch.length + c.batch;
    const prefillSlot = c.kv * this.space.roles.length + c.prefillRole;
    const d = this.decodeTable;
    const prefillActivations = c.aggregated ? (this.prefillTable.activationBytes[prefillSlot] as number) : 0;
    return {
      weightsBytes: d.weightBytes[decodeSlot] as number,
      kvCacheBytes: d.kvBytes[decodeSlot] as number,
      activationsBytes: Math.max(d.activationBytes[decodeSlot] as number, prefillActivations),
      usableBytes: d.usableBytes[decodeSlot] as number,
    };
  }

  private roleView(role: Role): RoleView {
    const plan = parallelOf(role, this.spec.model);
    return {
      hardware: (this.spec.hardware[role.hardware] as HardwareSpec).name,
      tp: plan.tp,
      pp: plan.pp,
      dp: plan.dp,
      ep: plan.ep,
      overlap: role.overlap,
      gpus: gpusOf(role),
    };
  }

  /**
   * Configuration `index` as an output record, or null unless it fits within the budget (status
   * "ok", "below-rate", "misses-ttft" or "misses-tpot").
   */
  candidate(index: number): Candidate | null {
    const m = this.scratch;
    const status = this.evaluateInto(index, m);
    if (status !== OK && status <= OVER_BUDGET) return null;
    const config = this.space.at(index);
    const prefill = this.roleView(config.mode === "aggregated" ? config.role : config.prefill);
    const decode = this.roleView(config.mode === "aggregated" ? config.role : config.decode);
    const known = (x: number) => (Number.isFinite(x) ? x : null);
    return {
      index,
      mode: config.mode,
      description: describe(config, prefill, decode),
      kvDtype: config.kvDtype,
      prefill,
      decode,
      batch: config.batch,
      prefillReplicas: config.mode === "aggregated" ? 0 : config.prefillReplicas,
      decodeReplicas: config.mode === "aggregated" ? 1 : config.decodeReplicas,
      copies: m.copies,
      unitGpus: m.unitGpus,
      gpus: m.copies * m.unitGpus,
      ttftMs: m.ttftMs,
      tpotMs: m.tpotMs,
      tokensPerSecPerGpu: m.tokensPerSecPerGpu,
      tokensPerSecPerUser: m.tokensPerSecPerUser,
      outputTokensPerSec: m.copies * m.unitRequestsPerSec * this.spec.statistics.meanOutputTokens,
      requestsPerSec: m.copies * m.unitRequestsPerSec,
      usdPerHour: known(m.unitUsdPerHour * m.copies),
      usdPerMillionTokens: known(m.usdPerMillionTokens),
      status: STATUSES[status] as Status,
      decodeMemory: this.decodeMemory(index),
      shortfall: m.shortfall,
    };
  }
}

/** "H800 tp8", "H20 tp1 dp8 ep8 tbo", "H800 tp4 pp2". */
export function roleLabel(role: RoleView): string {
  return [
    role.hardware,
    `tp${role.tp}`,
    role.pp > 1 ? `pp${role.pp}` : "",
    role.dp > 1 ? `dp${role.dp}` : "",
    role.ep > 1 ? `ep${role.ep}` : "",
    role.overlap === "two-micro-batch" ? "tbo" : role.overlap === "none" ? "" : role.overlap,
  ]
    .filter((part) => part !== "")
    .join(" ");
}

function describe(config: Config, prefill: RoleView, decode: RoleView): string {
  const kv = `kv ${config.kvDtype}`;
  if (config.mode === "aggregated") return `[${roleLabel(decode)}] batch ${config.batch}, ${kv}`;
  return `${config.prefillReplicas}P [${roleLabel(prefill)}] + ${config.decodeReplicas}D [${roleLabel(decode)}] batch ${config.batch}, ${kv}`;
}
