import type { SimulationResult } from "../core/scenario/simulate.ts";
import { fixed, gb, si } from "./format/numbers.ts";
import { type Cell, renderTable } from "./format/table.ts";

/** CSV columns of `llmsim simulate --csv`: LLMSimulator's LayerExecution fields, one row per layer. */
export const SCENARIO_CSV_HEAD = [
  "layer_name",
  "layer_type",
  "flops",
  "bytes_read",
  "bytes_written",
  "compute_time_ms",
  "memory_time_ms",
  "comm_time_ms",
  "dominant_latency_ms",
  "estimated_execution_time_ms",
  "bound",
];

export function scenarioCsvRows(result: SimulationResult): Cell[][] {
  return result.layers.map((layer) => [
    layer.layer_name,
    layer.layer_type,
    layer.flops,
    layer.bytes_read,
    layer.bytes_written,
    layer.compute_time_ms,
    layer.memory_time_ms,
    layer.comm_time_ms,
    layer.dominant_latency_ms,
    layer.estimated_execution_time_ms,
    layer.bound,
  ]);
}

const ms = (value: number) => fixed(value, 4);

/** The human report of `llmsim simulate`: one row per layer, then the totals. */
export function renderScenarioReport(result: SimulationResult): string {
  const w = result.workload;
  const shape = w.prefill
    ? `prefill ${w.prefill.sequences} x ${w.prefill.newTokens} tokens`
    : `decode ${w.decode?.sequences} sequences at context ${w.decode?.contextTokens}`;
  const table = renderTable(
    [
      "layer",
      "type",
      "FLOP",
      "read",
      "written",
      "compute ms",
      "memory ms",
      "comm ms",
      "dominant ms",
      "est. ms",
      "bound",
    ],
    result.layers.map((layer) => [
      layer.layer_name,
      layer.layer_type,
      si(layer.flops),
      si(layer.bytes_read),
      si(layer.bytes_written),
      ms(layer.compute_time_ms),
      ms(layer.memory_time_ms),
      ms(layer.comm_time_ms),
      ms(layer.dominant_latency_ms),
      ms(layer.estimated_execution_time_ms),
      layer.bound,
    ]),
  );
  const m = result.memory;
  return [
    `${result.model} on ${result.hardware}: ${shape}, one GPU, overlap ${result.overlap} (efficiency ${result.overlap_efficiency}), ${result.predictor} predictor`,
    table,
    `total latency ${ms(result.total_latency_ms)} ms, total ${si(result.total_flops)}FLOP, bottleneck ${result.bottleneck_layer}`,
    `peak memory ${gb(result.peak_memory_bytes)} (weights ${gb(m.weights_bytes)}, KV cache ${gb(m.kv_cache_bytes)}, activations ${gb(m.activations_bytes)}) of ${gb(m.hbm_bytes)} HBM: ${m.fits ? "fits" : "does not fit"}`,
    "",
  ].join("\n");
}
