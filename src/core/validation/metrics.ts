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
  | "token-rate-per-node";

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
};

export interface MetricDefinition {
  readonly quantity: Quantity;
  readonly meaning: string;
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
    meaning:
      "serving at maximum load: all output tokens over the time from the first arrival to the last completion",
  },
};

/** The factor from `unit` to the metric's canonical unit, or the allowed units. */
export function unitFactor(
  metric: string,
  unit: string,
): { ok: true; factor: number } | { ok: false; allowed: string[] } {
  const definition = VALIDATION_METRICS[metric];
  if (!definition) return { ok: false, allowed: [] };
  const units = UNITS[definition.quantity];
  const factor = units[unit];
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
        : "tokens/s";
}
