import type { ServeResult } from "./types.ts";

/** Distribution of one latency metric, milliseconds. */
export interface LatencyStats {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface ServiceLevelObjectives {
  readonly ttftMs?: number;
  readonly tpotMs?: number;
}

export interface PoolSummary {
  readonly name: string;
  readonly role: string;
  readonly replicas: number;
  readonly gpus: number;
  /** Mean over replicas of the busy fraction of the first pipeline stage over the run. */
  readonly utilization: number;
  readonly iterations: number;
  readonly preemptions: number;
  /** Peak KV blocks held on one replica / blocks per replica. */
  readonly peakKvFraction: number;
}

export interface ServeSummary {
  readonly requests: number;
  readonly gpus: number;
  /** From the first arrival to the last completion. */
  readonly durationSec: number;
  readonly requestsPerSec: number;
  readonly inputTokensPerSec: number;
  readonly outputTokensPerSec: number;
  readonly outputTokensPerSecPerGpu: number;
  readonly totalTokensPerSecPerGpu: number;
  /** Arrival to first scheduled iteration. */
  readonly queue: LatencyStats;
  readonly ttft: LatencyStats;
  /** (end-to-end − TTFT) / (output tokens − 1), over requests with more than one output token. */
  readonly tpot: LatencyStats;
  /** Every gap between consecutive tokens of a request (percentiles within 0.1%). */
  readonly itl: LatencyStats;
  readonly e2e: LatencyStats;
  readonly goodput: {
    readonly slo: ServiceLevelObjectives;
    readonly requestsPerSec: number;
    readonly fraction: number;
  };
  readonly pools: readonly PoolSummary[];
}

/** Percentile with linear interpolation between closest ranks (NumPy's default), of sorted values. */
export function percentileOfSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = q * (n - 1);
  const lower = Math.floor(position);
  const upper = Math.min(n - 1, lower + 1);
  const weight = position - lower;
  return (sorted[lower] as number) + ((sorted[upper] as number) - (sorted[lower] as number)) * weight;
}

function statsOf(valuesSec: Float64Array): LatencyStats {
  const sorted = Float64Array.from(valuesSec).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  const n = sorted.length;
  return {
    count: n,
    meanMs: n === 0 ? Number.NaN : (sum / n) * 1000,
    p50Ms: percentileOfSorted(sorted, 0.5) * 1000,
    p90Ms: percentileOfSorted(sorted, 0.9) * 1000,
    p99Ms: percentileOfSorted(sorted, 0.99) * 1000,
    maxMs: n === 0 ? Number.NaN : (sorted[n - 1] as number) * 1000,
  };
}

/** TPOT of request r in seconds, or NaN with a single output token. */
export function tpotSec(result: ServeResult, r: number): number {
  const tokens = result.outputTokens[r] as number;
  if (tokens < 2) return Number.NaN;
  return ((result.completionSec[r] as number) - (result.firstTokenSec[r] as number)) / (tokens - 1);
}

export function summarizeServing(result: ServeResult, slo: ServiceLevelObjectives = {}): ServeSummary {
  const n = result.arrivalSec.length;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let good = 0;
  const queue = new Float64Array(n);
  const ttft = new Float64Array(n);
  const e2e = new Float64Array(n);
  const tpots: number[] = [];
  for (let r = 0; r < n; r++) {
    const arrival = result.arrivalSec[r] as number;
    const completion = result.completionSec[r] as number;
    if (arrival < first) first = arrival;
    if (completion > last) last = completion;
    inputTokens += result.promptTokens[r] as number;
    outputTokens += result.outputTokens[r] as number;
    queue[r] = (result.firstScheduledSec[r] as number) - arrival;
    ttft[r] = (result.firstTokenSec[r] as number) - arrival;
    e2e[r] = completion - arrival;
    const tpot = tpotSec(result, r);
    if (!Number.isNaN(tpot)) tpots.push(tpot);
    const ttftOk = slo.ttftMs === undefined || (ttft[r] as number) * 1000 <= slo.ttftMs;
    const tpotOk = slo.tpotMs === undefined || Number.isNaN(tpot) || tpot * 1000 <= slo.tpotMs;
    if (ttftOk && tpotOk) good++;
  }
  const durationSec = n === 0 ? 0 : last - first;
  const gpus = result.pools.reduce((sum, pool) => sum + pool.replicas * pool.gpusPerReplica, 0);
  const itl = result.interTokenSec;
  return {
    requests: n,
    gpus,
    durationSec,
    requestsPerSec: n / durationSec,
    inputTokensPerSec: inputTokens / durationSec,
    outputTokensPerSec: outputTokens / durationSec,
    outputTokensPerSecPerGpu: outputTokens / durationSec / gpus,
    totalTokensPerSecPerGpu: (inputTokens + outputTokens) / durationSec / gpus,
    queue: statsOf(queue),
    ttft: statsOf(ttft),
    tpot: statsOf(Float64Array.from(tpots)),
    itl: {
      count: itl.count,
      meanMs: itl.mean * 1000,
      p50Ms: itl.quantile(0.5) * 1000,
      p90Ms: itl.quantile(0.9) * 1000,
      p99Ms: itl.quantile(0.99) * 1000,
      maxMs: itl.max * 1000,
    },
    e2e: statsOf(e2e),
    goodput: { slo, requestsPerSec: good / durationSec, fraction: n === 0 ? 0 : good / n },
    pools: result.pools.map((pool) => ({
      name: pool.name,
      role: pool.role,
      replicas: pool.replicas,
      gpus: pool.replicas * pool.gpusPerReplica,
      utilization: pool.busySec.reduce((sum, busy) => sum + busy, 0) / pool.replicas / durationSec,
      iterations: pool.iterations,
      preemptions: pool.preemptions,
      peakKvFraction: pool.peakBlocksUsed / pool.blocksPerReplica,
    })),
  };
}

/**
 * Per-request rows in the format testbeds use to compare simulators with real runs (seed 004's
 * request_metrics.csv): arrival and completion as timestamps, TTFT as a duration from arrival, ns.
 */
export function requestMetricsCsv(result: ServeResult): string {
  const lines = [
    "request_id,arrival_time_ns,ttft_ns,completion_time_ns,input_tokens,output_tokens,queue_ns,tpot_ns,e2e_ns,replica,decode_replica,preemptions",
  ];
  const ns = (sec: number) => String(Math.round(sec * 1e9));
  for (let r = 0; r < result.arrivalSec.length; r++) {
    const arrival = result.arrivalSec[r] as number;
    const tpot = tpotSec(result, r);
    lines.push(
      [
        r,
        ns(arrival),
        ns((result.firstTokenSec[r] as number) - arrival),
        ns(result.completionSec[r] as number),
        result.promptTokens[r],
        result.outputTokens[r],
        ns((result.firstScheduledSec[r] as number) - arrival),
        Number.isNaN(tpot) ? "" : ns(tpot),
        ns((result.completionSec[r] as number) - arrival),
        result.replica[r],
        result.decodeReplica[r],
        result.preemptions[r],
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}
