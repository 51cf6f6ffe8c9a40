import type { HardwareSpec } from "../hardware/types.ts";
import { InputError } from "../issues.ts";
import type { Predictor } from "../predictor/types.ts";
import { poissonArrivalsSec } from "../sim/arrivals.ts";
import { constantHostOverhead } from "../sim/host-overhead.ts";
import { Mt19937 } from "../sim/mt19937.ts";
import { type RequestSet, synthesizeRequests } from "../sim/requests.ts";
import { enginePool, kvTransferBetween } from "../sim/serve/deployment.ts";
import { simulateServing } from "../sim/serve/engine.ts";
import { summarizeServing } from "../sim/serve/metrics.ts";
import type { PoolConfig } from "../sim/serve/types.ts";
import { type Candidate, promptsPerIteration } from "./evaluate.ts";
import { PlanSpace, parallelOf, type Role } from "./space.ts";
import type { PlanSpec } from "./spec.ts";

/** Percentiles of one latency, ms. */
export interface Percentiles {
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
}

/** A candidate served by the request-level simulator. */
export interface Recheck {
  readonly index: number;
  /** Arrival rate offered to the simulated unit, requests/s. */
  readonly ratePerSec: number;
  readonly requests: number;
  /** Arrival to first token (queueing included). */
  readonly ttft: Percentiles;
  /** (end-to-end − TTFT) / (output tokens − 1), per request. */
  readonly tpot: Percentiles;
  readonly outputTokensPerSecPerGpu: number;
  readonly meetsSlo: boolean;
  /** Why the simulation could not run (e.g. a request longer than a replica's KV cache), else null. */
  readonly error: string | null;
}

/** Requests for the re-check: the spec's distributions sampled, or the trace's lengths in order (repeated if short). */
function requestsFor(spec: PlanSpec, count: number, ratePerSec: number): RequestSet {
  const random = new Mt19937(spec.recheck.seed);
  const arrivalSec = poissonArrivalsSec(count, ratePerSec, random);
  const lengths = spec.lengths;
  if (lengths.kind === "distributions")
    return synthesizeRequests(arrivalSec, lengths.prompt, lengths.output, random);
  const n = lengths.promptTokens.length;
  return {
    arrivalSec,
    promptTokens: Int32Array.from({ length: count }, (_, i) => lengths.promptTokens[i % n] as number),
    outputTokens: Int32Array.from({ length: count }, (_, i) => lengths.outputTokens[i % n] as number),
  };
}

/** The percentile the targets are checked at. */
export const percentileOf = (stats: Percentiles, percentile: 50 | 90 | 99): number =>
  percentile === 50 ? stats.p50Ms : percentile === 90 ? stats.p90Ms : stats.p99Ms;

/**
 * Serves one unit of the candidate (one aggregated replica, or its x prefill and y decode replicas
 * with KV hand-offs) with continuous batching at its analytic batch, Poisson arrivals at the
 * unit's share of the target rate (else `recheck.load` of its analytic capacity), and compares
 * the chosen percentile of TTFT and TPOT with the targets. At least `recheck.requests` requests,
 * and three times the unit's concurrent sequences so the batch fills. `predictor` prices the steps
 * (default: the roofline), as the sweep's evaluator did.
 */
export function recheckCandidate(spec: PlanSpec, candidate: Candidate, predictor?: Predictor): Recheck {
  const space = new PlanSpace(spec);
  const config = space.at(candidate.index);
  const dtypes = { ...spec.dtypes, kvCache: config.kvDtype };
  const unitRatePerSec = candidate.requestsPerSec / candidate.copies;
  const ratePerSec =
    spec.ratePerSec === null ? spec.recheck.load * unitRatePerSec : spec.ratePerSec / candidate.copies;
  const decodeRole = config.mode === "aggregated" ? config.role : config.decode;
  const concurrency = candidate.decodeReplicas * decodeRole.dp * config.batch;
  const requests = Math.max(spec.recheck.requests, 3 * concurrency);
  // Per micro-batch slot, the analytic model's sequences: a decoding replica's batch, a prefill
  // replica's prompts per iteration. A decode pool's iterations hold only decode tokens, so its token
  // budget (and the activations reserved for it) is its batch.
  const schedulerFor = (poolRole: PoolConfig["role"], role: Role) => {
    const maxSeqs =
      poolRole === "prefill"
        ? promptsPerIteration(spec) * role.dp
        : Math.max(1, (config.batch * role.dp) / role.pp);
    return {
      kind: "continuous" as const,
      maxSeqs,
      maxBatchedTokens: poolRole === "decode" ? maxSeqs : spec.maxBatchedTokens * role.dp,
    };
  };
  const hardwareOf = (role: Role) => spec.hardware[role.hardware] as HardwareSpec;
  const pool = (name: string, role: Role, poolRole: PoolConfig["role"], replicas: number) =>
    enginePool({
      name,
      role: poolRole,
      model: spec.model,
      hardware: hardwareOf(role),
      parallel: parallelOf(role, spec.model),
      replicas,
      overlap: role.overlap,
      dtypes,
      memoryUtilization: spec.memoryUtilization,
      allReduce: spec.allReduce,
      scheduler: schedulerFor(poolRole, role),
      ...(predictor ? { predictor } : {}),
      ...(spec.hostOverheadMs ? { hostOverhead: constantHostOverhead(spec.hostOverheadMs) } : {}),
    });
  const failed = (error: string): Recheck => {
    const nan = { p50Ms: Number.NaN, p90Ms: Number.NaN, p99Ms: Number.NaN };
    return {
      index: candidate.index,
      ratePerSec,
      requests,
      ttft: nan,
      tpot: nan,
      outputTokensPerSecPerGpu: Number.NaN,
      meetsSlo: false,
      error,
    };
  };
  try {
    const pools =
      config.mode === "aggregated"
        ? [pool("replicas", config.role, "both", 1)]
        : [
            pool("prefill", config.prefill, "prefill", config.prefillReplicas),
            pool("decode", config.decode, "decode", config.decodeReplicas),
          ];
    const kvTransfer =
      config.mode === "aggregated"
        ? undefined
        : kvTransferBetween({
            model: spec.model,
            prefillHardware: hardwareOf(config.prefill),
            decodeHardware: hardwareOf(config.decode),
            prefillParallel: parallelOf(config.prefill, spec.model),
            decodeParallel: parallelOf(config.decode, spec.model),
            dtypes,
            latencySec: spec.kvLink.latencySec,
            ...(spec.kvLink.bandwidthBytesPerSecPerGpu === null
              ? {}
              : {
                  bandwidthBytesPerSec:
                    spec.kvLink.bandwidthBytesPerSecPerGpu *
                    Math.min(candidate.prefill.gpus, candidate.decode.gpus),
                }),
          });
    const result = simulateServing({
      requests: requestsFor(spec, requests, ratePerSec),
      pools,
      router: "least-outstanding",
      ...(kvTransfer ? { kvTransfer } : {}),
    });
    const summary = summarizeServing(result);
    const { percentile, ttftMs, tpotMs } = spec.slo;
    const meetsSlo =
      (ttftMs === undefined || percentileOf(summary.ttft, percentile) <= ttftMs) &&
      (tpotMs === undefined || percentileOf(summary.tpot, percentile) <= tpotMs);
    const percentiles = (s: Percentiles): Percentiles => ({ p50Ms: s.p50Ms, p90Ms: s.p90Ms, p99Ms: s.p99Ms });
    return {
      index: candidate.index,
      ratePerSec,
      requests,
      ttft: percentiles(summary.ttft),
      tpot: percentiles(summary.tpot),
      outputTokensPerSecPerGpu: summary.outputTokensPerSecPerGpu,
      meetsSlo,
      error: null,
    };
  } catch (error) {
    if (error instanceof InputError) return failed(error.issues.map((issue) => issue.message).join("; "));
    throw error;
  }
}
