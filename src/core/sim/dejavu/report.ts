import { pythonFloat } from "../../text/python-float.ts";
import type { DejavuResult, DejavuTraceEvent } from "./simulators.ts";

export interface DejavuSummary {
  readonly count: number;
  /** Mean clamped generated tokens. */
  readonly meanTokens: number;
  /** Seconds per generated token of each microbatch: (end - arrival) / 1e6 / T. */
  readonly latencyPerTokenMedianSec: number;
  readonly latencyPerTokenMaxSec: number;
  readonly latencyPerTokenMinSec: number;
  readonly earlyStops: number;
  /** Last completion, from t = 0, seconds. */
  readonly makespanSec: number;
  /** Microbatches per second (upstream prints "ubatces/sec"). */
  readonly throughputMicrobatchesPerSec: number;
}

/** NumPy's median: the middle value, or the mean of the two middle values. */
function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function dejavuSummary(result: DejavuResult): DejavuSummary {
  const { tokens, arrivalUs, endUs } = result;
  const count = tokens.length;
  let tokenSum = 0;
  let makespanUs = 0;
  const perToken = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    tokenSum += tokens[i] as number;
    perToken[i] = ((endUs[i] as number) - (arrivalUs[i] as number)) / 1e6 / (tokens[i] as number);
    if ((endUs[i] as number) > makespanUs) makespanUs = endUs[i] as number;
  }
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (const value of perToken) {
    if (value > max) max = value;
    if (value < min) min = value;
  }
  const makespanSec = makespanUs / 1e6;
  return {
    count,
    meanTokens: tokenSum / count,
    latencyPerTokenMedianSec: median(perToken),
    latencyPerTokenMaxSec: max,
    latencyPerTokenMinSec: min,
    earlyStops: result.earlyStops,
    makespanSec,
    throughputMicrobatchesPerSec: count / makespanSec,
  };
}

/** The lines upstream prints, number formatting as Python's repr (or JavaScript's). */
export function dejavuStdout(summary: DejavuSummary, kind: "baseline" | "dv", python = true): string {
  const f = python ? pythonFloat : (x: number) => String(x);
  const lines = [
    `${kind === "dv" ? "trace_list:  " : ""}${summary.count} ${f(summary.meanTokens)}`,
    `LAT/TOKEN: median: ${f(summary.latencyPerTokenMedianSec)}, max: ${f(summary.latencyPerTokenMaxSec)}, min: ${f(summary.latencyPerTokenMinSec)}`,
    ...(kind === "baseline"
      ? [`------------------------------------------------ Early stops is ${summary.earlyStops}`]
      : []),
    `Total time is ${f(summary.makespanSec)} sec, thr is ${f(summary.throughputMicrobatchesPerSec)} ubatces/sec`,
  ];
  return `${lines.join("\n")}\n`;
}

const PALETTE = [
  "thread_state_uninterruptible",
  "thread_state_iowait",
  "thread_state_running",
  "thread_state_runnable",
  "thread_state_unknown",
  "background_memory_dump",
  "light_memory_dump",
  "detailed_memory_dump",
  "vsync_highlight_color",
  "generic_work",
  "good",
  "bad",
  "terrible",
] as const;

/** The largest pipeline upstream's 13-colour trace palette can draw. */
export const MAX_TRACED_STAGES = PALETTE.length;

/**
 * Upstream's Chrome trace, chunk by chunk: a bare JSON array written as Python's json.dump does
 * (", " and ": " separators, floats as repr), metadata events first (one per stage), then one
 * complete event per stage pass in simulation order.
 */
export function dejavuTraceWriter(processNames: readonly string[], write: (chunk: string) => void) {
  let first = true;
  const emit = (json: string) => {
    write(first ? `[${json}` : `, ${json}`);
    first = false;
  };
  for (const [pid, label] of processNames.entries()) {
    emit(`{"name": "process_name", "ph": "M", "pid": ${pid}, "args": {"name": ${JSON.stringify(label)}}}`);
  }
  return {
    event(e: DejavuTraceEvent): void {
      emit(
        `{"pid": ${e.pid}, "ts": ${pythonFloat(e.tsUs)}, "dur": ${pythonFloat(e.durUs)}, "ph": "X", "name": "${e.name}", "cname": "${PALETTE[e.stageInPipeline]}"}`,
      );
    },
    end(): void {
      write(first ? "[]" : "]");
    },
  };
}
