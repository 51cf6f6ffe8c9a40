import type { LargeEpReport, LargeEpRow } from "../core/large-ep/evaluate.ts";
import { fixed } from "./format/numbers.ts";
import type { Cell } from "./format/table.ts";
import { renderTable } from "./format/table.ts";

/** CSV columns of `llmsim large-ep evaluate --csv`, one row per (EP, dispatch mode, overlap). */
export const LARGE_EP_CSV_HEAD = [
  "ep",
  "gpus",
  "domains",
  "mode",
  "overlap",
  "imbalance_factor",
  "attention_ms",
  "routed_experts_ms",
  "shared_expert_ms",
  "dispatch_ms",
  "combine_ms",
  "exposed_comm_ms",
  "layer_ms",
  "step_ms",
  "tokens_per_sec_per_gpu",
  "memory_gb_per_gpu",
  "fits",
] as const;

export function largeEpCsvRows(report: LargeEpReport): Cell[][] {
  return report.rows.map((row) => [
    row.ep,
    row.gpus,
    row.domains,
    row.mode,
    row.overlap,
    row.imbalanceFactor,
    row.attentionMs,
    row.routedExpertsMs,
    row.sharedExpertMs,
    row.dispatchMs,
    row.combineMs,
    row.exposedCommMs,
    row.layerMs,
    row.stepMs,
    row.tokensPerSecPerGpu,
    row.memoryGBPerGpu,
    row.fits ? "yes" : "no",
  ]);
}

const ms = (value: number) => fixed(value, 4);
const overlapLabel = (row: LargeEpRow) => (row.overlap === "none" ? "off" : "TBO");

/** The human report: per-MoE-layer costs as EP grows, then the best row and the skipped degrees. */
export function renderLargeEpReport(report: LargeEpReport): string {
  const w = report.workload;
  const runtime = w.decode
    ? `decode, ${w.decode.sequences} sequences per GPU, context ${w.decode.contextTokens}`
    : `prefill, ${w.prefill?.sequences} prompts per GPU of ${w.prefill?.newTokens} tokens`;
  const lines = [
    `${report.model} on ${report.hardware}: ${runtime}; attention TP 1, DP = EP`,
    `redundant experts ${report.redundantExperts}, imbalance ${report.imbalance}, predictor ${report.predictor}`,
    "Per MoE layer on one GPU (ms, summed over micro-batches); TBO = two-micro-batch overlap",
  ];
  const head = [
    "EP",
    "domains",
    "a2a",
    "overlap",
    "imbalance",
    "attention",
    "experts",
    "shared",
    "dispatch",
    "combine",
    "exposed",
    "layer",
    "step ms",
    "tok/s/GPU",
    "GB/GPU",
    "fits",
  ];
  const rows: Cell[][] = report.rows.map((row) => [
    row.ep,
    row.domains,
    row.mode,
    overlapLabel(row),
    fixed(row.imbalanceFactor, 3),
    ms(row.attentionMs),
    ms(row.routedExpertsMs),
    ms(row.sharedExpertMs),
    ms(row.dispatchMs),
    ms(row.combineMs),
    ms(row.exposedCommMs),
    ms(row.layerMs),
    fixed(row.stepMs, 2),
    fixed(row.tokensPerSecPerGpu, 1),
    fixed(row.memoryGBPerGpu, 1),
    row.fits ? "yes" : "no",
  ]);
  lines.push(renderTable(head, rows));
  const fitting = report.rows.filter((row) => row.fits);
  const best = fitting.reduce<LargeEpRow | null>(
    (a, b) => (a === null || b.tokensPerSecPerGpu > a.tokensPerSecPerGpu ? b : a),
    null,
  );
  lines.push(
    best
      ? `Best that fits: EP ${best.ep}, ${best.mode} dispatch, overlap ${overlapLabel(best)}: ${fixed(best.tokensPerSecPerGpu, 1)} tok/s/GPU, step ${fixed(best.stepMs, 2)} ms`
      : "No EP degree fits in memory (see GB/GPU); rows are simulated with memory ignored.",
  );
  for (const skip of report.skipped) lines.push(`skipped EP ${skip.ep}: ${skip.reason}`);
  return `${lines.join("\n")}\n`;
}
