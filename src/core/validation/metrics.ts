import { ownEntry } from "../text/own-entry.ts";

/**
 * What a validation case can measure, the quantity each metric is, and the units each quantity is
 * written in (value x factor = the canonical unit). A case's unit must be one of its metric's.
 */
export const VALIDATION_LEVELS = ["kernel", "layer", "step", "system", "request"] as const;
export type ValidationLevel = (typeof VALIDATION_LEVELS)[number];

type Quantity =
  | "time"
  | "flop-rate"
  | "bandwidth"
  | "token-rate"
  | "token-rate-per-gpu"
  | "token-rate-per-node"
  | "request-rate";

/** Units per quantity and their factor to the canonical unit (ms, TFLOPS, GB/s, tokens/s). */
const UNITS: Readonly<Record<Quantity, Readonly<Record<string, number>>>> = {
  time: { s: 1e3, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 },
  "flop-rate": { PFLOPS: 1e3, TFLOPS: 1, GFLOPS: 1e-3 },
  // Decimal units, as the sources print them; GiB/s converted.
  bandwidth: { "TB/s": 1e3, "GB/s": 1, "GiB/s": 2 ** 30 / 1e9, "MB/s": 1e-3 },
  // A rate per GPU, per node or in total are different quantities: no unit converts one to another.
  "token-rate": { "tokens/s": 1 },
  "token-rate-per-gpu": { "tokens/s/gpu": 1 },
  "token-rate-per-node": { "tokens/s/node": 1 },
  "request-rate": { "req/s": 1, "requests/s": 1 },
};

export interface MetricDefinition {
  readonly quantity: Quantity;
  readonly meaning: string;
}

/** The serving latencies a case can compare, each as mean and percentiles over requests. */
const SERVING_LATENCIES = {
  ttft: "time to first token: arrival to the first output token, queueing included",
  tpot: "time per output token of a request: (end-to-end − TTFT) / (output tokens − 1), requests with more than one output token",
  itl: "inter-token latency: every gap between consecutive output tokens of a request",
  e2e: "end-to-end latency: arrival to the last output token",
  queue: "queueing delay: arrival to the first iteration that schedules the request",
} as const;
export type ServingLatency = keyof typeof SERVING_LATENCIES;
const STATISTICS = { mean: "mean", p50: "median", p90: "90th percentile", p99: "99th percentile" } as const;
export type LatencyStatistic = keyof typeof STATISTICS;

function servingLatencyMetrics(): Record<string, MetricDefinition> {
  const out: Record<string, MetricDefinition> = {};
  for (const [latency, meaning] of Object.entries(SERVING_LATENCIES))
    for (const [statistic, name] of Object.entries(STATISTICS))
      out[`${latency}_${statistic}`] = { quantity: "time", meaning: `serving: ${name} ${meaning}` };
  return out;
}

export const VALIDATION_METRICS: Readonly<Record<string, MetricDefinition>> = {
  kernel_time: {
    quantity: "time",
    meaning: "predicted time of the op (op scenarios, or the step's `read` op)",
  },
  tflops: { quantity: "flop-rate", meaning: "the op's FLOPs over its predicted time" },
  hbm_bandwidth: {
    quantity: "bandwidth",
    meaning: "the op's HBM bytes (read + written) over its predicted time",
  },
  busbw: {
    quantity: "bandwidth",
    meaning:
      "MoE dispatch/combine: the bytes DeepEP's tests count (each token once per destination rank within a node, per destination node across nodes, own included; FP8 with its scales) over the op's predicted time",
  },
  step_latency: { quantity: "time", meaning: "the step's time (decode: time per output token)" },
  tokens_per_s_per_gpu: {
    quantity: "token-rate-per-gpu",
    meaning: "tokens through the model per second per GPU (prefill: prompt tokens)",
  },
  tokens_per_s_per_node: {
    quantity: "token-rate-per-node",
    meaning: "tokens_per_s_per_gpu x GPUs per node (prefill: input tokens, decode: output tokens)",
  },
  output_tokens_per_s_total: {
    quantity: "token-rate",
    meaning: "serving: all output tokens over the time from the first arrival to the last completion",
  },
  output_tokens_per_s_per_gpu: {
    quantity: "token-rate-per-gpu",
    meaning: "serving: output_tokens_per_s_total over every GPU of the deployment",
  },
  requests_per_s: {
    quantity: "request-rate",
    meaning: "serving: requests completed over the time from the first arrival to the last completion",
  },
  ...servingLatencyMetrics(),
};

/** The latency and statistic a serving latency metric ("ttft_p50") names, or null. */
export function servingLatencyOf(
  metric: string,
): { latency: ServingLatency; statistic: LatencyStatistic } | null {
  const match = /^([a-z0-9]+)_(mean|p50|p90|p99)$/.exec(metric);
  if (!match || !Object.hasOwn(SERVING_LATENCIES, match[1] as string)) return null;
  return { latency: match[1] as ServingLatency, statistic: match[2] as LatencyStatistic };
}

/**
 * Metric names with a unit in them (the and anchors.csv's spelling: kernel_us, busbw_GBps,
 * latency_ms, ttft_ms_p50): each stands for a metric above, and the case's `unit` must be the one
 * its name says.
 */
export const METRIC_ALIASES: Readonly<Record<string, { readonly metric: string; readonly unit: string }>> = {
  kernel_us: { metric: "kernel_time", unit: "us" },
  kernel_ms: { metric: "kernel_time", unit: "ms" },
  busbw_GBps: { metric: "busbw", unit: "GB/s" },
  latency_ms: { metric: "step_latency", unit: "ms" },
  ...Object.fromEntries(
    Object.keys(SERVING_LATENCIES).flatMap((latency) =>
      Object.keys(STATISTICS).map((statistic) => [
        `${latency}_ms_${statistic}`,
        { metric: `${latency}_${statistic}`, unit: "ms" },
      ]),
    ),
  ),
};

/**
 * The metric a case names, resolved: an alias becomes its metric, and its unit must match the
 * case's ("us" and "µs" are the same). Null metric when the name is unknown.
 */
export function resolveMetric(
  name: string,
  unit: string,
): { metric: string | null; unitConflict: string | null } {
  if (Object.hasOwn(VALIDATION_METRICS, name)) return { metric: name, unitConflict: null };
  const alias = ownEntry(METRIC_ALIASES, name);
  if (!alias) return { metric: null, unitConflict: null };
  const same = (a: string) => a.replace("µ", "u");
  return { metric: alias.metric, unitConflict: same(alias.unit) === same(unit) ? null : alias.unit };
}

/** The factor from `unit` to the metric's canonical unit, or the allowed units. */
export function unitFactor(
  metric: string,
  unit: string,
): { ok: true; factor: number } | { ok: false; allowed: string[] } {
  const definition = ownEntry(VALIDATION_METRICS, metric);
  if (!definition) return { ok: false, allowed: [] };
  const units = UNITS[definition.quantity];
  const factor = ownEntry(units, unit);
  return factor === undefined ? { ok: false, allowed: Object.keys(units) } : { ok: true, factor };
}

/** The canonical unit a metric is compared in. */
export function canonicalUnit(metric: string): string {
  const quantity = VALIDATION_METRICS[metric]?.quantity;
  return quantity === "time"
    ? "ms"
    : quantity === "flop-rate"
      ? "TFLOPS"
      : quantity === "bandwidth"
        ? "GB/s"
        : quantity === "request-rate"
          ? "req/s"
          : quantity === "token-rate-per-gpu"
            ? "tokens/s/gpu"
            : quantity === "token-rate-per-node"
              ? "tokens/s/node"
              : "tokens/s";
}
