import type { AfdCandidate, AfdReport } from "../core/afd/simulate.ts";
import { fixed } from "./format/numbers.ts";
import { type Cell, renderTable } from "./format/table.ts";

/** CSV columns of `llmsim afd simulate --csv`: one row per attention:FFN split (its best micro-batch count). */
export const AFD_CSV_HEAD = [
  "attention_gpus",
  "ffn_gpus",
  "gpus",
  "ratio",
  "micro_batches",
  "link",
  "attention_ms",
  "to_ffn_ms",
  "ffn_ms",
  "to_attention_ms",
  "steady_layer_ms",
  "step_ms",
  "bottleneck",
  "tokens_per_sec",
  "tokens_per_sec_per_gpu",
  "attention_memory_gb",
  "ffn_memory_gb",
  "fits",
  "colocated_batch_per_gpu",
  "colocated_overlap",
  "colocated_step_ms",
  "colocated_tokens_per_sec_per_gpu",
  "colocated_fits",
] as const;

const orEmpty = (value: number | string | null): Cell => value ?? "";
const yesNo = (value: boolean | null) => (value === null ? "" : value ? "yes" : "no");

export function afdCsvRows(report: AfdReport): Cell[][] {
  return report.candidates.map((c) => [
    c.attentionGpus,
    c.ffnGpus,
    c.gpus,
    c.ratio,
    c.microBatches,
    c.transferTier,
    c.layer.attentionMs,
    c.layer.toFfnMs,
    c.layer.ffnMs,
    c.layer.toAttentionMs,
    c.steadyLayerMs,
    c.stepMs,
    c.bottleneck,
    c.tokensPerSec,
    c.tokensPerSecPerGpu,
    c.attentionMemoryGB,
    c.ffnMemoryGB,
    yesNo(c.fits),
    c.colocated.batchPerGpu,
    orEmpty(c.colocated.overlap),
    orEmpty(c.colocated.stepMs),
    orEmpty(c.colocated.tokensPerSecPerGpu),
    yesNo(c.colocated.fits),
  ]);
}

const ms = (value: number) => fixed(value, 4);
const versus = (c: AfdCandidate) =>
  c.colocated.tokensPerSecPerGpu ? `${fixed(c.tokensPerSecPerGpu / c.colocated.tokensPerSecPerGpu, 2)}x` : "";

/** The human report: splits by throughput per GPU, the best one against the co-located step, skips. */
export function renderAfdReport(report: AfdReport, top: number): string {
  const w = report.workload;
  const runtime = w.decode
    ? `decode, ${w.decode.sequences} sequences per attention GPU, context ${w.decode.contextTokens}`
    : `prefill, ${w.prefill?.sequences} prompts per attention GPU of ${w.prefill?.newTokens} tokens`;
  const hardware =
    report.attentionHardware === report.ffnHardware
      ? report.attentionHardware
      : `attention ${report.attentionHardware}, FFN ${report.ffnHardware}`;
  const lines = [
    `${report.model} on ${hardware}: ${runtime}; predictor ${report.predictor}`,
    "Attention-FFN disaggregation: per-micro-batch stage times of a MoE layer (ms); co-located = the same GPUs, TP 1, DP = EP",
  ];
  const head = [
    "attn:FFN",
    "GPUs",
    "m",
    "link",
    "attention",
    "->FFN",
    "FFN",
    "->attn",
    "layer",
    "step ms",
    "bottleneck",
    "tok/s/GPU",
    "fits",
    "co-located tok/s/GPU",
    "AFD/co-located",
  ];
  const rows: Cell[][] = report.candidates
    .slice(0, top)
    .map((c) => [
      `${c.attentionGpus}:${c.ffnGpus}`,
      c.gpus,
      c.microBatches,
      c.transferTier,
      ms(c.layer.attentionMs),
      ms(c.layer.toFfnMs),
      ms(c.layer.ffnMs),
      ms(c.layer.toAttentionMs),
      ms(c.steadyLayerMs),
      fixed(c.stepMs, 2),
      c.bottleneck,
      fixed(c.tokensPerSecPerGpu, 1),
      c.fits ? "yes" : `no (${fixed(c.attentionMemoryGB, 0)}/${fixed(c.ffnMemoryGB, 0)} GB)`,
      c.colocated.tokensPerSecPerGpu === null
        ? "n/a"
        : `${fixed(c.colocated.tokensPerSecPerGpu, 1)}${c.colocated.fits ? "" : " (does not fit)"}`,
      versus(c),
    ]);
  lines.push(renderTable(head, rows));
  if (report.candidates.length > top)
    lines.push(
      `(${report.candidates.length - top} more splits: --top ${report.candidates.length}, --csv or --json)`,
    );
  const best = report.best;
  if (best) {
    const co = best.colocated;
    lines.push(
      `Best: ${best.attentionGpus}:${best.ffnGpus} (attention/FFN ratio ${fixed(best.ratio, 2)}), ${best.microBatches} micro-batches: ${fixed(best.tokensPerSecPerGpu, 1)} tok/s/GPU, step ${fixed(best.stepMs, 2)} ms, bottleneck ${best.bottleneck}`,
      co.tokensPerSecPerGpu === null
        ? `Co-located on ${co.gpus} GPUs: not run (${co.note})`
        : `Co-located on ${co.gpus} GPUs (${co.batchPerGpu} sequences each, overlap ${co.overlap}): ${fixed(co.tokensPerSecPerGpu, 1)} tok/s/GPU, step ${fixed(co.stepMs as number, 2)} ms${co.fits ? "" : " (does not fit)"}: AFD ${versus(best)}`,
    );
  } else lines.push("No split fits in memory (fits column: attention/FFN GB per GPU).");
  const byReason = new Map<string, string[]>();
  for (const skip of report.skipped)
    byReason.set(skip.reason, [...(byReason.get(skip.reason) ?? []), skip.split]);
  for (const [reason, splits] of byReason) lines.push(`skipped ${splits.join(", ")}: ${reason}`);
  return `${lines.join("\n")}\n`;
}
