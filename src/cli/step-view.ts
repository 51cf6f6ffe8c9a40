import { describeWeights } from "../core/step/dtypes.ts";
import type { LayerExecution, StepResult } from "../core/step/result.ts";
import { billions, fixed, gb } from "./format/numbers.ts";
import { OP_CSV_HEAD, opCsvCells, renderOpTable } from "./format/op-table.ts";
import { type Cell, renderTable } from "./format/table.ts";

/** Consecutive layer records with the same kind and cost, collapsed for the human table. */
export function collapseLayers(
  layers: readonly LayerExecution[],
): { label: string; count: number; layer: LayerExecution }[] {
  const groups: { label: string; count: number; layer: LayerExecution; first: number; last: number }[] = [];
  for (const layer of layers) {
    const previous = groups[groups.length - 1];
    const same =
      previous &&
      previous.layer.ops === layer.ops &&
      layer.layer >= 0 &&
      previous.layer.layer >= 0 &&
      previous.layer.stage === layer.stage;
    if (same && previous) {
      previous.count++;
      previous.last = layer.layer;
      previous.label = `layers ${previous.first}-${previous.last} (${layer.kind})`;
    } else {
      const label =
        layer.layer >= 0 && layer.kind !== "head" ? `layer ${layer.layer} (${layer.kind})` : layer.name;
      groups.push({ label, count: 1, layer, first: layer.layer, last: layer.layer });
    }
  }
  return groups;
}

const ms = (value: number) => fixed(value, 4);

/** The human report of `llmsim step`. */
export function renderStepReport(result: StepResult, showOps: boolean): string {
  const lines: string[] = [];
  const w = result.workload;
  const phase = w.prefill && w.decode ? "mixed" : w.prefill ? "prefill" : "decode";
  const shape = [
    w.prefill
      ? `prefill ${w.prefill.sequences} x ${w.prefill.newTokens} tokens${w.prefill.cachedTokens ? ` after ${w.prefill.cachedTokens} cached` : ""}`
      : "",
    w.decode ? `decode ${w.decode.sequences} sequences at context ${w.decode.contextTokens}` : "",
  ]
    .filter(Boolean)
    .join(" + ");
  const p = result.parallel;
  lines.push(
    `${result.model.id} on ${result.hardware.name}: ${phase} step, ${shape} (per attention-DP group)`,
  );
  lines.push(
    `parallel: tp ${p.tp}, pp ${p.pp}, dp ${p.dp}, ep ${p.ep} = ${p.gpus} GPUs per replica` +
      (p.ep > 1
        ? `; ${p.expertSlotsPerRank} expert slots per EP rank (${p.effectiveRedundantExperts} redundant)`
        : "") +
      (p.expertImbalance > 1 ? `; imbalance x${p.expertImbalance}` : ""),
  );
  const d = result.dtypes;
  lines.push(
    `formats: weights ${describeWeights(d)}, GEMMs ${d.gemmCompute}, KV cache ${d.kvCache}, attention ${d.attention}` +
      (p.ep > 1 ? `, dispatch ${d.dispatch} / combine ${d.combine} (${result.moeAllToAll} all-to-all)` : "") +
      `; overlap ${result.overlap}` +
      (result.allReduce === "custom" ? "; custom TP all-reduce" : "") +
      `; predictor ${result.predictor}`,
  );
  lines.push(
    `model: ${billions(result.model.totalParams)} params, ${billions(result.model.activeParams)} active per token`,
  );
  const m = result.memory;
  lines.push(
    `memory per GPU (stage ${m.stage}): weights ${gb(m.weightsBytes)} + KV cache ${gb(m.kvCacheBytes)} + activations ${gb(m.activationsBytes)} = ${gb(m.totalBytes)} of ${gb(m.usableBytes)} usable (${gb(m.capacityBytes)} HBM) -> ${m.fits ? "fits" : "DOES NOT FIT"}`,
  );
  if (result.status === "does-not-fit" || !result.totals) {
    lines.push(
      "nothing simulated: the configuration does not fit (more GPUs, a smaller batch or context, or --ignore-memory to simulate anyway)",
    );
    return `${lines.join("\n")}\n`;
  }
  lines.push("");
  const head = [
    "block",
    "count",
    "GFLOP",
    "MB moved",
    "compute ms",
    "memory ms",
    "comm ms",
    "time ms",
    "x count ms",
    "bound",
  ];
  const rows: Cell[][] = collapseLayers(result.layers).map(({ label, count, layer }) => [
    label,
    count,
    fixed(layer.flops / 1e9, 3),
    fixed((layer.bytesRead + layer.bytesWritten) / 1e6, 2),
    ms(layer.computeMs),
    ms(layer.memoryMs),
    ms(layer.commMs),
    ms(layer.dominantMs),
    ms(layer.dominantMs * count),
    layer.bound,
  ]);
  lines.push(renderTable(head, rows));
  if (showOps) {
    for (const { label, layer } of collapseLayers(result.layers)) {
      lines.push(
        "",
        `${label}${layer.microBatches > 1 ? ` (one of ${layer.microBatches} micro-batches)` : ""}`,
      );
      lines.push(renderOpTable(layer.ops));
    }
  }
  const t = result.totals;
  lines.push("");
  lines.push(
    `step latency ${fixed(t.latencyMs, 3)} ms` +
      (t.stageMs.length > 1 ? ` (stages ${t.stageMs.map((s) => fixed(s, 3)).join(" / ")} ms)` : "") +
      ` | ${fixed(t.tokensPerSecPerGpu, 1)} tokens/s per GPU | ${fixed(t.tokensPerSecPerReplica, 1)} tokens/s per replica | ${fixed(t.achievedTflopsPerGpu, 1)} TFLOP/s per GPU`,
  );
  lines.push(
    `comm ${fixed(t.commMs, 3)} ms (${fixed(t.exposedCommMs, 3)} ms exposed) | bottleneck ${t.bottleneckLayer.name} (${ms(t.bottleneckLayer.dominantMs)} ms)`,
  );
  return `${lines.join("\n")}\n`;
}

/** Per-layer rows for --csv (per-op rows with --ops). */
export function stepCsvRows(result: StepResult, ops: boolean): { head: string[]; rows: Cell[][] } {
  if (ops) {
    const head = ["layer", "block", ...OP_CSV_HEAD];
    const rows = result.layers.flatMap((layer) =>
      layer.ops.map((op) => [layer.layer, layer.name, ...opCsvCells(op)]),
    );
    return { head, rows };
  }
  const head = [
    "layer",
    "name",
    "kind",
    "stage",
    "flops",
    "bytesRead",
    "bytesWritten",
    "commBytes",
    "computeMs",
    "memoryMs",
    "commMs",
    "dominantMs",
    "exposedCommMs",
    "bound",
  ];
  const rows = result.layers.map((l) => [
    l.layer,
    l.name,
    l.kind,
    l.stage,
    l.flops,
    l.bytesRead,
    l.bytesWritten,
    l.commBytes,
    l.computeMs,
    l.memoryMs,
    l.commMs,
    l.dominantMs,
    l.exposedCommMs,
    l.bound,
  ]);
  return { head, rows };
}
