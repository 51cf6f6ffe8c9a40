import {
  type AllReduceImplementation,
  customAllReduceFallback,
} from "../core/collectives/custom-all-reduce.ts";
import type { Dtype } from "../core/dtype.ts";
import type { HardwareRegistry } from "../core/hardware/catalog.ts";
import { hardwareSpecOf } from "../core/hardware/resolve.ts";
import type { AcceleratorRecord, HardwareSpec } from "../core/hardware/types.ts";
import { InputError, type Issue } from "../core/issues.ts";
import type { ModelSpec } from "../core/model/types.ts";
import { groupSpan } from "../core/parallel/placement.ts";
import type { ParallelPlan } from "../core/parallel/plan.ts";
import type { Predictor } from "../core/predictor/types.ts";
import { constantArrivalsSec, gammaArrivalsSec, poissonArrivalsSec } from "../core/sim/arrivals.ts";
import {
  constantHostOverhead,
  type HostOverheadCurve,
  type HostOverheadTable,
  hostOverheadCurveFor,
} from "../core/sim/host-overhead.ts";
import { Mt19937 } from "../core/sim/mt19937.ts";
import {
  type LengthDistribution,
  LMSYS_LIKE,
  type RequestSet,
  synthesizeRequests,
} from "../core/sim/requests.ts";
import { enginePool, kvTransferBetween } from "../core/sim/serve/deployment.ts";
import type { ServeSummary, ServiceLevelObjectives } from "../core/sim/serve/metrics.ts";
import type {
  KvTransferConfig,
  PoolConfig,
  RouterKind,
  SchedulerConfig,
  SchedulerKind,
  ServeConfig,
} from "../core/sim/serve/types.ts";

/**
 * One serving run described by the values of `llmsim serve`'s flags, turned into the simulator's
 * ServeConfig without any I/O: the CLI reads the model, the hardware files and the trace file and
 * hands them in; the web app does the same from its own sources. Both therefore run the same
 * simulation for the same options.
 */

/** "burst": every request at time 0 (maximum load, trtllm-bench's throughput mode); the others at `rate`. */
export type ArrivalKind = "poisson" | "gamma" | "constant" | "burst";
export const ARRIVAL_KINDS: readonly ArrivalKind[] = ["poisson", "gamma", "constant", "burst"];

/** The values of `llmsim serve`'s flags that are not files; every field optional, defaults as the CLI's. */
export interface ServeOptions {
  /** Tensor / pipeline / attention-DP / expert parallelism per replica (default 1 each). */
  readonly tp?: number | undefined;
  readonly pp?: number | undefined;
  readonly dp?: number | undefined;
  readonly ep?: number | undefined;
  /** Replicas serving both phases (default 1); not with disaggregation. */
  readonly replicas?: number | undefined;
  /** Disaggregation: both or neither. */
  readonly prefillReplicas?: number | undefined;
  readonly decodeReplicas?: number | undefined;
  /** Accelerator name (default "H100"); the prefill/decode pools default to it. */
  readonly hardware?: string | undefined;
  readonly prefillHardware?: string | undefined;
  readonly decodeHardware?: string | undefined;
  /** TP of prefill / decode replicas (default tp). */
  readonly prefillTp?: number | undefined;
  readonly decodeTp?: number | undefined;
  /** KV hand-off bandwidth per replica pair, GB/s (default: NIC bandwidth x GPUs of the smaller replica). */
  readonly kvLinkGbps?: number | undefined;
  /** KV hand-off latency, µs (default: the larger scale-out latency of the two accelerators, else 0). */
  readonly kvLinkLatencyUs?: number | undefined;
  /** Default "continuous". */
  readonly scheduler?: SchedulerKind | undefined;
  /** Token budget per iteration (default 8192). */
  readonly maxBatchedTokens?: number | undefined;
  /** Sequences per batch (default 256). */
  readonly maxSeqs?: number | undefined;
  /** Default "least-outstanding". */
  readonly router?: RouterKind | undefined;
  /** Weight format, dense and expert (default: the checkpoint's). */
  readonly weightDtype?: Dtype | undefined;
  readonly kvDtype?: Dtype | undefined;
  readonly activationDtype?: Dtype | undefined;
  /** TP all-reduce kernels (default nccl). */
  readonly allReduce?: AllReduceImplementation | undefined;
  /** Fraction of HBM for weights, activations and KV cache (default: the engine's, 0.9). */
  readonly memoryUtilization?: number | undefined;
  /** KV-cache tokens per replica instead of the memory model's. */
  readonly kvTokens?: number | undefined;
  /** Host (CPU) time added to every iteration, ms (default 0; not with a host-overhead table). */
  readonly hostOverheadMs?: number | undefined;
  /** Constant whole-model iteration times, ms: both or neither. */
  readonly prefillMs?: number | undefined;
  readonly decodeMs?: number | undefined;
  /** Requests to simulate (default 1000, or every request of the trace). */
  readonly requests?: number | undefined;
  /** Default "poisson". */
  readonly arrival?: ArrivalKind | undefined;
  /** Mean arrival rate, requests per second (default 10). */
  readonly rate?: number | undefined;
  /** Gamma arrivals: coefficient of variation of the gaps (default 2). */
  readonly cv?: number | undefined;
  /** Synthetic lengths (default LMSYS_LIKE's). */
  readonly promptTokens?: LengthDistribution | undefined;
  readonly outputTokens?: LengthDistribution | undefined;
  /** Seed of the random generator (default 0). */
  readonly seed?: number | undefined;
  /** Goodput targets. */
  readonly sloTtftMs?: number | undefined;
  readonly sloTpotMs?: number | undefined;
}

/** Requests read from a file by the caller (io/request-trace.ts's RequestTrace has this shape). */
export interface ServeTrace {
  /** Arrival times relative to the first, seconds, or null when the file has none. */
  readonly arrivalSec: Float64Array | null;
  readonly promptTokens: Int32Array;
  readonly outputTokens: Int32Array;
}

/**
 * The requests of a run: the trace's (its arrivals, unless `arrival` or `rate` is given, then
 * generated ones; the first `requests` of it) or, without a trace, `requests` synthetic requests
 * with generated arrivals and sampled lengths. Deterministic for a seed.
 */
export function serveRequests(options: ServeOptions, trace?: ServeTrace): RequestSet {
  const random = new Mt19937(options.seed ?? 0);
  const rate = options.rate ?? 10;
  const arrivalsFor = (count: number) => {
    const kind = options.arrival ?? "poisson";
    if (kind === "burst") return new Float64Array(count);
    if (kind === "constant") return constantArrivalsSec(count, rate);
    if (kind === "gamma") return gammaArrivalsSec(count, rate, options.cv ?? 2, random);
    return poissonArrivalsSec(count, rate, random);
  };
  if (trace) {
    const count = Math.min(options.requests ?? trace.promptTokens.length, trace.promptTokens.length);
    const fromTrace =
      trace.arrivalSec !== null && options.arrival === undefined && options.rate === undefined;
    return {
      arrivalSec: fromTrace ? (trace.arrivalSec as Float64Array).slice(0, count) : arrivalsFor(count),
      promptTokens: trace.promptTokens.slice(0, count),
      outputTokens: trace.outputTokens.slice(0, count),
    };
  }
  const count = options.requests ?? 1000;
  return synthesizeRequests(
    arrivalsFor(count),
    options.promptTokens ?? LMSYS_LIKE.prompt,
    options.outputTokens ?? LMSYS_LIKE.output,
    random,
  );
}

const DISAGGREGATION_OPTIONS = [
  ["prefillHardware", "--prefill-hardware"],
  ["decodeHardware", "--decode-hardware"],
  ["prefillTp", "--prefill-tp"],
  ["decodeTp", "--decode-tp"],
  ["kvLinkGbps", "--kv-link-gbps"],
  ["kvLinkLatencyUs", "--kv-link-latency-us"],
] as const satisfies readonly (readonly [keyof ServeOptions, string])[];

/**
 * Issues that name llmsim serve's flags ("--prefill-replicas") renamed to the option fields a
 * scenario file spells ("prefillReplicas"), in their paths and messages.
 */
export function flagsAsFields(issues: readonly Issue[]): Issue[] {
  const field = (flag: string) =>
    flag.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return issues.map((issue) => ({
    ...issue,
    path: issue.path.map((key) => (typeof key === "string" && key.startsWith("--") ? field(key) : key)),
    message: issue.message.replace(/--[a-z][a-z-]*/g, field),
  }));
}

/** Most requests one serving run simulates (its per-request arrays hold 10^7 comfortably). */
export const MAX_SERVE_REQUESTS = 10_000_000;
/** Most replicas in one pool, and GPUs of one kind per replica dimension (TP, PP, DP, EP). */
export const MAX_REPLICAS = 100_000;
export const MAX_PARALLEL_DEGREE = 65_536;

const BOUNDED_OPTIONS = [
  ["requests", "--requests", MAX_SERVE_REQUESTS],
  ["replicas", "--replicas", MAX_REPLICAS],
  ["prefillReplicas", "--prefill-replicas", MAX_REPLICAS],
  ["decodeReplicas", "--decode-replicas", MAX_REPLICAS],
  ["tp", "--tp", MAX_PARALLEL_DEGREE],
  ["pp", "--pp", MAX_PARALLEL_DEGREE],
  ["dp", "--dp", MAX_PARALLEL_DEGREE],
  ["ep", "--ep", MAX_PARALLEL_DEGREE],
  ["prefillTp", "--prefill-tp", MAX_PARALLEL_DEGREE],
  ["decodeTp", "--decode-tp", MAX_PARALLEL_DEGREE],
] as const satisfies readonly (readonly [keyof ServeOptions, string, number])[];

/**
 * The checks on option combinations that need no model or hardware: counts within bounds, disaggregation needs both
 * replica counts and excludes `replicas`, and the pools' own options need it; a burst takes no
 * rate, --cv only gamma arrivals; constant step times need both. Throws InputError
 * (paths name the CLI flags). `serveSetup` runs it too; a caller may run it first to report these
 * mistakes before doing any I/O.
 */
export function checkServeOptions(options: ServeOptions): void {
  for (const [key, flag, max] of BOUNDED_OPTIONS) {
    const value = options[key];
    if (typeof value === "number" && value > max)
      throw new InputError([
        {
          code: "invalid-value",
          path: [flag],
          message: `${flag} ${value} is more than the ${max.toLocaleString("en-US")} one run simulates`,
        },
      ]);
  }
  const disaggregated = options.prefillReplicas !== undefined || options.decodeReplicas !== undefined;
  if (disaggregated && (options.prefillReplicas === undefined || options.decodeReplicas === undefined)) {
    throw new InputError([
      {
        code: "missing-field",
        path: [options.prefillReplicas === undefined ? "--prefill-replicas" : "--decode-replicas"],
        message: "disaggregation needs both --prefill-replicas and --decode-replicas",
      },
    ]);
  }
  if (disaggregated && options.replicas !== undefined) {
    throw new InputError([
      {
        code: "invalid-value",
        path: ["--replicas"],
        message:
          "--replicas is for aggregated serving; with disaggregation give --prefill-replicas and --decode-replicas",
      },
    ]);
  }
  if (options.arrival === "burst" && (options.rate !== undefined || options.cv !== undefined)) {
    throw new InputError([
      {
        code: "invalid-value",
        path: [options.rate !== undefined ? "--rate" : "--cv"],
        message: "--arrival burst queues every request at time 0: --rate and --cv do not apply",
      },
    ]);
  }
  if (options.cv !== undefined && options.arrival !== "gamma") {
    throw new InputError([
      {
        code: "invalid-value",
        path: ["--cv"],
        message: "--cv is the gap variation of gamma arrivals: give --arrival gamma",
      },
    ]);
  }
  // Options of the prefill and decode pools would be ignored by an aggregated run: say so.
  const poolOnly = DISAGGREGATION_OPTIONS.find(([key]) => options[key] !== undefined);
  if (!disaggregated && poolOnly) {
    throw new InputError([
      {
        code: "invalid-value",
        path: [poolOnly[1]],
        message: `${poolOnly[1]} describes a disaggregated run: give --prefill-replicas and --decode-replicas`,
      },
    ]);
  }
  if ((options.prefillMs === undefined) !== (options.decodeMs === undefined)) {
    throw new InputError([
      {
        code: "missing-field",
        path: [options.prefillMs === undefined ? "--prefill-ms" : "--decode-ms"],
        message: "constant step times need both --prefill-ms and --decode-ms",
      },
    ]);
  }
}

/** A ready-to-simulate serving run and what its report needs. */
export interface ServeSetup {
  readonly config: ServeConfig;
  /** The same pools as config.pools: one "replicas" pool, or "prefill" and "decode". */
  readonly pools: readonly PoolConfig[];
  /** The KV hand-off of a disaggregated run (also in config). */
  readonly kvTransfer?: KvTransferConfig;
  /** One line naming the deployment, e.g. "meta-llama/Llama-3.1-8B on 1 x 1 H100, continuous batching". */
  readonly label: string;
  /** Goodput targets (for summarizeServing). */
  readonly slo: ServiceLevelObjectives;
  readonly disaggregated: boolean;
  /** The scheduler every pool uses. */
  readonly scheduler: SchedulerConfig;
  /** What was asked for but does not apply (e.g. a custom all-reduce on a TP group wider than a domain). */
  readonly warnings: readonly string[];
}

function resolveAccelerator(registry: HardwareRegistry, name: string, flag: string): AcceleratorRecord {
  const resolved = registry.resolve(name, [flag]);
  if (!resolved.ok) throw new InputError(resolved.issues);
  return resolved.record;
}

/** What a serving run reads from files besides the model and hardware. */
export interface ServeSources {
  /** Prices the engine's kernels (default: the roofline). */
  readonly predictor?: Predictor | undefined;
  /** Measured host overhead per (model, TP), e.g. Vidur's cpu_overheads.csv (`--host-overhead-table`). */
  readonly hostOverheadTable?: HostOverheadTable | undefined;
}

/** Each pool's host-overhead curve: the table's row for the model at the pool's TP, or the constant. */
function hostOverheadOf(
  options: ServeOptions,
  sources: ServeSources,
  model: ModelSpec,
): (tp: number) => HostOverheadCurve | undefined {
  const table = sources.hostOverheadTable;
  if (table && options.hostOverheadMs !== undefined) {
    throw new InputError([
      {
        code: "invalid-value",
        path: ["--host-overhead-ms"],
        message: "give --host-overhead-ms or --host-overhead-table, not both",
      },
    ]);
  }
  if (table) return (tp) => hostOverheadCurveFor({ kind: "table", table }, model.id, tp);
  const ms = options.hostOverheadMs;
  return () => (ms !== undefined && ms > 0 ? constantHostOverhead(ms) : undefined);
}

/**
 * The ServeConfig of `llmsim serve` for these options: pools priced by the engine (or constant
 * step times), the KV hand-off when disaggregated, the router, plus the report's label and SLO.
 * `requests` may be a function, called once the pools are built, so that configuration mistakes
 * are reported before a trace file is read. Throws InputError on bad option combinations
 * (checkServeOptions), unknown accelerators, invalid plans, models that do not fit, or a host
 * overhead table without the model at a pool's TP.
 */
export function serveSetup(
  options: ServeOptions,
  model: ModelSpec,
  registry: HardwareRegistry,
  requests: RequestSet | (() => RequestSet),
  sources: ServeSources = {},
): ServeSetup {
  checkServeOptions(options);
  const { predictor } = sources;
  const hostOverheadAt = hostOverheadOf(options, sources, model);
  const disaggregated = options.prefillReplicas !== undefined || options.decodeReplicas !== undefined;
  const hardwareName = options.hardware ?? "H100";
  const scheduler: SchedulerConfig = {
    kind: options.scheduler ?? "continuous",
    maxBatchedTokens: options.maxBatchedTokens ?? 8192,
    maxSeqs: options.maxSeqs ?? 256,
  };
  const base: Partial<ParallelPlan> = {
    tp: options.tp ?? 1,
    pp: options.pp ?? 1,
    dp: options.dp ?? 1,
    ep: options.ep ?? 1,
  };
  const dtypes = {
    ...(options.weightDtype ? { weight: options.weightDtype, expertWeight: options.weightDtype } : {}),
    ...(options.kvDtype ? { kvCache: options.kvDtype } : {}),
    ...(options.activationDtype ? { activation: options.activationDtype } : {}),
  };
  const common = {
    model,
    scheduler,
    dtypes,
    ...(options.allReduce ? { allReduce: options.allReduce } : {}),
    ...(options.memoryUtilization !== undefined ? { memoryUtilization: options.memoryUtilization } : {}),
    ...(options.kvTokens !== undefined ? { kvCapacityTokens: options.kvTokens } : {}),
    ...(predictor ? { predictor } : {}),
    ...(options.prefillMs !== undefined && options.decodeMs !== undefined
      ? { constantStepMs: { prefillMs: options.prefillMs, decodeMs: options.decodeMs } }
      : {}),
  };
  let pools: PoolConfig[];
  let kvTransfer: KvTransferConfig | undefined;
  /** Each pool's name, accelerator and TP size. */
  let poolHardware: [string, HardwareSpec, number][];
  if (disaggregated) {
    const prefillRecord = resolveAccelerator(
      registry,
      options.prefillHardware ?? hardwareName,
      "--prefill-hardware",
    );
    const decodeRecord = resolveAccelerator(
      registry,
      options.decodeHardware ?? hardwareName,
      "--decode-hardware",
    );
    const prefillParallel = { ...base, tp: options.prefillTp ?? base.tp ?? 1 };
    const decodeParallel = { ...base, tp: options.decodeTp ?? base.tp ?? 1 };
    const prefillHardware = hardwareSpecOf(prefillRecord);
    const decodeHardware = hardwareSpecOf(decodeRecord);
    poolHardware = [
      ["prefill", prefillHardware, prefillParallel.tp],
      ["decode", decodeHardware, decodeParallel.tp],
    ];
    pools = [
      enginePool({
        ...common,
        name: "prefill",
        role: "prefill",
        hardware: prefillHardware,
        parallel: prefillParallel,
        replicas: options.prefillReplicas as number,
        hostOverhead: hostOverheadAt(prefillParallel.tp),
      }),
      enginePool({
        ...common,
        name: "decode",
        role: "decode",
        hardware: decodeHardware,
        parallel: decodeParallel,
        replicas: options.decodeReplicas as number,
        hostOverhead: hostOverheadAt(decodeParallel.tp),
      }),
    ];
    const latencyUs =
      options.kvLinkLatencyUs ??
      Math.max(prefillRecord.scaleOut?.latencyUs ?? 0, decodeRecord.scaleOut?.latencyUs ?? 0);
    kvTransfer = kvTransferBetween({
      model,
      prefillHardware,
      decodeHardware,
      prefillParallel,
      decodeParallel,
      dtypes,
      latencySec: latencyUs / 1e6,
      ...(options.kvLinkGbps !== undefined ? { bandwidthBytesPerSec: options.kvLinkGbps * 1e9 } : {}),
    });
  } else {
    const hardware = hardwareSpecOf(resolveAccelerator(registry, hardwareName, "--hardware"));
    poolHardware = [["replicas", hardware, base.tp ?? 1]];
    pools = [
      enginePool({
        ...common,
        name: "replicas",
        role: "both",
        hardware,
        parallel: base,
        replicas: options.replicas ?? 1,
        hostOverhead: hostOverheadAt(base.tp ?? 1),
      }),
    ];
  }
  const allReduceWarnings = poolHardware.flatMap(([name, hardware, tp]) => {
    const fallback = customAllReduceFallback(
      options.allReduce ?? "nccl",
      groupSpan(tp, 1, hardware.scaleUp.domainGpus).domains,
    );
    return fallback ? [disaggregated ? `${name} pool: ${fallback}` : fallback] : [];
  });
  const slo: ServiceLevelObjectives = {
    ...(options.sloTtftMs !== undefined ? { ttftMs: options.sloTtftMs } : {}),
    ...(options.sloTpotMs !== undefined ? { tpotMs: options.sloTpotMs } : {}),
  };
  const config: ServeConfig = {
    requests: typeof requests === "function" ? requests() : requests,
    pools,
    router: options.router ?? "least-outstanding",
    ...(kvTransfer ? { kvTransfer } : {}),
  };
  const deployment = disaggregated
    ? `${model.id}: ${options.prefillReplicas} prefill + ${options.decodeReplicas} decode replicas, ${scheduler.kind} batching`
    : `${model.id} on ${options.replicas ?? 1} x ${pools[0]?.gpusPerReplica} ${hardwareName}, ${scheduler.kind} batching`;
  const overheads = [...new Set(pools.map((pool) => pool.hostOverhead?.label).filter(Boolean))];
  const label = [
    deployment,
    ...(predictor ? [`predictor ${predictor.name}`] : []),
    ...(overheads.length > 0 ? [`host overhead ${overheads.join(" / ")}`] : []),
  ].join(", ");
  return {
    config,
    pools,
    ...(kvTransfer ? { kvTransfer } : {}),
    label,
    slo,
    disaggregated,
    scheduler,
    warnings: allReduceWarnings,
  };
}

/** `llmsim serve --json`: the run's summary, the KV-cache tokens per replica of each pool and the KV hand-off. */
export function serveJson(setup: ServeSetup, summary: ServeSummary) {
  const kvTokensPerReplica = Object.fromEntries(
    setup.pools.map((pool) => [pool.name, pool.kvCapacityTokens]),
  );
  return {
    ...summary,
    kvTokensPerReplica,
    ...(setup.kvTransfer ? { kvTransfer: setup.kvTransfer } : {}),
    warnings: setup.warnings,
  };
}
