import type { Candidate, RoleView } from "../core/plan/evaluate.ts";
import { percentileOf, type Recheck } from "../core/plan/recheck.ts";
import type { PlanResult } from "../core/plan/recommend.ts";
import type { PlanSpec } from "../core/plan/spec.ts";
import { modeFront } from "../core/plan/summary.ts";
import { fixed, gb } from "./format/numbers.ts";
import { type Cell, renderCsv, renderTable } from "./format/table.ts";

const usd = (x: number | null) => (x === null ? "-" : fixed(x, x < 1 ? 3 : 2));
const ms = (x: number) => fixed(x, x < 100 ? 1 : 0);

/** The question as plain data (JSON output): names instead of indices, no model internals. */
export function planInput(spec: PlanSpec) {
  const names = (list: readonly number[]) => list.map((h) => spec.hardware[h]?.name);
  return {
    model: spec.model.id,
    hardware: spec.hardware.map((h, i) => ({
      name: h.name,
      usdPerGpuHour: spec.pricesUsdPerGpuHour[i] ?? null,
      maxGpus: spec.budget.gpusPerHardware[i] ?? null,
    })),
    gpuBudget: spec.budget.gpus,
    lengths:
      spec.lengths.kind === "trace"
        ? { kind: "trace", requests: spec.lengths.promptTokens.length }
        : spec.lengths,
    statistics: spec.statistics,
    ratePerSec: spec.ratePerSec,
    slo: spec.slo,
    objective: spec.objective,
    axes: {
      ...spec.axes,
      aggregatedHardware: names(spec.axes.aggregatedHardware),
      prefillHardware: names(spec.axes.prefillHardware),
      decodeHardware: names(spec.axes.decodeHardware),
    },
    dtypes: spec.dtypes,
    predictor: spec.predictor ?? { name: "roofline" },
    memoryUtilization: spec.memoryUtilization,
    allReduce: spec.allReduce,
    maxBatchedTokens: spec.maxBatchedTokens,
    hostOverheadMs: spec.hostOverheadMs ?? 0,
    kvLink: spec.kvLink,
    recheck: spec.recheck,
  };
}

/** `--json`: the question, everything the sweep kept, the re-checks and the recommendation. */
export function planJson(spec: PlanSpec, result: PlanResult) {
  const { schemaVersion, specHash, spaceSize, ...rest } = result;
  return { schemaVersion, specHash, spaceSize, input: planInput(spec), ...rest };
}

const roleColumns = (role: RoleView) =>
  [role.hardware, role.tp, role.pp, role.dp, role.ep, role.overlap, role.gpus].map((v) => v as Cell);
const ROLE_HEAD = (prefix: string) =>
  ["hardware", "tp", "pp", "dp", "ep", "overlap", "gpus"].map((f) => `${prefix}_${f}`);

/** `--csv`: every hardware choice's Pareto front, one row per configuration. */
export function planCsv(result: PlanResult): string {
  const recommended = result.recommended?.candidate.index;
  const rows = result.summary.groups.flatMap((g) =>
    g.front.map((c) => [
      g.label,
      c.mode,
      c.index,
      c.description,
      c.kvDtype,
      ...roleColumns(c.prefill),
      ...roleColumns(c.decode),
      c.batch,
      c.prefillReplicas,
      c.decodeReplicas,
      c.copies,
      c.gpus,
      c.ttftMs,
      c.tpotMs,
      c.tokensPerSecPerUser,
      c.tokensPerSecPerGpu,
      c.outputTokensPerSec,
      c.usdPerMillionTokens ?? "",
      c.status,
      c.index === recommended ? "yes" : "",
    ]),
  );
  return renderCsv(
    [
      "hardware_choice",
      "mode",
      "index",
      "configuration",
      "kv_dtype",
      ...ROLE_HEAD("prefill"),
      ...ROLE_HEAD("decode"),
      "batch",
      "prefill_replicas",
      "decode_replicas",
      "copies",
      "gpus",
      "ttft_ms",
      "tpot_ms",
      "output_tokens_per_s_per_user",
      "output_tokens_per_s_per_gpu",
      "output_tokens_per_s",
      "usd_per_million_output_tokens",
      "status",
      "recommended",
    ],
    rows,
  );
}

function groupRows(result: PlanResult): Cell[][] {
  return result.summary.groups.map((g) => {
    const best = g.best;
    return [
      g.label,
      g.meeting,
      best ? best.description : g.front.length > 0 ? "none meets every target" : "nothing fits or meets TTFT",
      best ? `${ms(best.ttftMs)} / ${ms(best.tpotMs)}` : "-",
      best ? fixed(best.tokensPerSecPerGpu, 0) : "-",
      best ? usd(best.usdPerMillionTokens) : "-",
    ];
  });
}

function candidateRows(candidates: readonly Candidate[], recommended: number | undefined): Cell[][] {
  return candidates.map((c) => [
    c.index === recommended ? "*" : "",
    c.mode === "aggregated" ? "agg" : "disagg",
    c.description,
    `${c.copies} x ${c.unitGpus}${c.status === "below-rate" ? " needed" : ""}`,
    ms(c.ttftMs),
    ms(c.tpotMs),
    fixed(c.tokensPerSecPerUser, 1),
    fixed(c.tokensPerSecPerGpu, 0),
    usd(c.usdPerMillionTokens),
    c.status === "ok" ? "yes" : c.status.replace("misses-", "no: "),
  ]);
}

const CANDIDATE_HEAD = [
  "",
  "mode",
  "configuration",
  "GPUs",
  "TTFT ms",
  "TPOT ms",
  "tok/s/user",
  "tok/s/GPU",
  "$/Mtok",
  "meets",
];

function describeLengths(spec: PlanSpec): string {
  const s = spec.statistics;
  const source =
    spec.lengths.kind === "trace"
      ? `${spec.lengths.promptTokens.length.toLocaleString("en-US")}-request trace`
      : "distributions";
  return `ISL ${fixed(s.meanPromptTokens, 0)} / OSL ${fixed(s.meanOutputTokens, 0)} tokens (means, ${source})`;
}

function describeTargets(spec: PlanSpec): string {
  const parts: string[] = [];
  if (spec.slo.ttftMs !== undefined) parts.push(`TTFT <= ${fixed(spec.slo.ttftMs, 0)} ms`);
  if (spec.slo.tpotMs !== undefined) parts.push(`TPOT <= ${fixed(spec.slo.tpotMs, 1)} ms`);
  if (spec.ratePerSec !== null) parts.push(`${fixed(spec.ratePerSec, 2)} req/s`);
  return parts.length > 0
    ? `${parts.join(", ")} (p${spec.slo.percentile} in the serving re-check)`
    : "no targets";
}

function recheckRows(spec: PlanSpec, result: PlanResult): Cell[][] {
  const byIndex = new Map<number, Candidate>(result.summary.best.map((c) => [c.index, c]));
  const p = spec.slo.percentile;
  return result.rechecks.map((r: Recheck) => {
    const c = byIndex.get(r.index);
    return [
      c?.description ?? String(r.index),
      c ? `${ms(c.ttftMs)} / ${ms(c.tpotMs)}` : "-",
      fixed(r.ratePerSec, 2),
      r.error ? "-" : `${ms(percentileOf(r.ttft, p))} / ${ms(percentileOf(r.tpot, p))}`,
      r.error ? "-" : fixed(r.outputTokensPerSecPerGpu, 0),
      r.error ? `no: ${r.error}` : r.meetsSlo ? "yes" : "no",
    ];
  });
}

/** The human report: the question, the space, both fronts, the re-checks and the recommendation with its reasons. */
export function renderPlanReport(
  spec: PlanSpec,
  result: PlanResult,
  timing?: { seconds: number; threads: number },
): string {
  const { summary } = result;
  const hardware = spec.hardware
    .map((h, i) => {
      const limit = spec.budget.gpusPerHardware[i];
      const price = spec.pricesUsdPerGpuHour[i];
      return `${h.name} (${limit ? `at most ${limit}, ` : ""}${price === null || price === undefined ? "no price" : `$${price}/GPU-h`})`;
    })
    .join(", ");
  const rejected = Object.entries(summary.counts)
    .filter(([status, n]) => status !== "ok" && n > 0)
    .map(([status, n]) => `${status} ${n.toLocaleString("en-US")}`)
    .join(", ");
  const speed = timing
    ? ` in ${fixed(timing.seconds, 2)} s on ${timing.threads} thread${timing.threads > 1 ? "s" : ""} (${fixed(summary.evaluated / timing.seconds / 1e6, 2)} M/s)`
    : "";
  const lines = [
    `${spec.model.id} on ${hardware}; budget ${spec.budget.gpus} GPUs`,
    `workload: ${describeLengths(spec)}; targets: ${describeTargets(spec)}; objective: ${spec.objective === "cost" ? `lowest $ per million output tokens${spec.ratePerSec !== null ? " at the target rate" : ""}` : "most output tokens/s per GPU"}`,
    ...(spec.hostOverheadMs
      ? [
          `host overhead: ${spec.hostOverheadMs} ms per iteration on every pipeline stage, analytic and re-checked`,
        ]
      : []),
    ...(spec.predictor
      ? [
          `kernel times: ${spec.predictor.name} (data ${spec.predictor.digest}), roofline where it has no data`,
        ]
      : []),
    `searched ${summary.evaluated.toLocaleString("en-US")} configurations${speed}: ${summary.counts.ok.toLocaleString("en-US")} meet every target${rejected ? `; set aside: ${rejected}` : ""}`,
    "",
  ];
  const recommended = result.recommended?.candidate.index;
  const front = [...modeFront(summary, "aggregated"), ...modeFront(summary, "disaggregated")];
  if (front.length > 0) {
    lines.push(
      `Pareto front of each mode (tokens/s per GPU vs per user, over configurations meeting the TTFT target${spec.ratePerSec !== null ? " and the rate" : ""}):`,
      renderTable(CANDIDATE_HEAD, candidateRows(front, recommended)),
      "",
    );
  }
  lines.push(
    `best of each hardware choice (${spec.objective === "cost" ? "lowest $/Mtok" : "most tokens/s per GPU"} meeting every target):`,
    renderTable(
      ["hardware choice", "meeting", "best configuration", "TTFT / TPOT ms", "tok/s/GPU", "$/Mtok"],
      groupRows(result),
    ),
    "",
  );
  if (result.rechecks.length > 0) {
    lines.push(
      `serving re-check (one unit, continuous batching; TTFT from arrival, TPOT = (end-to-end - TTFT) / (output tokens - 1)):`,
      renderTable(
        [
          "configuration",
          "analytic TTFT / TPOT ms",
          "req/s",
          `simulated p${spec.slo.percentile} TTFT / TPOT ms`,
          "tok/s/GPU",
          "meets",
        ],
        recheckRows(spec, result),
      ),
      "",
    );
  }
  if (result.recommended) {
    const { candidate, reasons } = result.recommended;
    const memory = candidate.decodeMemory;
    lines.push(`recommended: ${candidate.description}`);
    for (const reason of reasons) lines.push(`  - ${reason}`);
    lines.push(
      `  - memory per GPU (${candidate.mode === "aggregated" ? "replica" : "decode replica"}): weights ${gb(memory.weightsBytes)} + KV cache ${gb(memory.kvCacheBytes)} + activations ${gb(memory.activationsBytes)} of ${gb(memory.usableBytes)} usable`,
    );
  } else {
    lines.push(result.noneMeets ?? "nothing to recommend");
    if (summary.closest.length > 0)
      lines.push(
        "closest configurations:",
        renderTable(CANDIDATE_HEAD, candidateRows(summary.closest, undefined)),
      );
  }
  return `${lines.join("\n")}\n`;
}
