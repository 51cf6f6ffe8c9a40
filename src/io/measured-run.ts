import { csvParse } from "d3-dsv";
import { InputError, type Issue } from "../core/issues.ts";
import type { RequestTimes } from "../core/validation/requests.ts";
import { readText } from "./files.ts";
import { readRequestTrace } from "./request-trace.ts";

/** A measured run: its requests (arrivals and lengths, to replay) and their timings. */
export interface MeasuredRun {
  readonly promptTokens: Int32Array;
  readonly times: RequestTimes;
}

const TIMING_COLUMNS = ["ttft_ns", "completion_time_ns"];

/**
 * Reads a per-request CSV of a real run (seed 004's request_metrics.csv, or `llmsim serve
 * --metrics-csv`): arrival_time_ns, input and output token columns, ttft_ns (a duration from
 * arrival) and completion_time_ns (a timestamp on the arrival clock). Times are converted to
 * seconds from the first arrival. Errors name the file, line and column.
 */
export function readMeasuredRun(path: string): MeasuredRun {
  const trace = readRequestTrace(path, "--measured");
  const table = csvParse(readText(path, "--measured"));
  const issues: Issue[] = [];
  for (const column of TIMING_COLUMNS)
    if (!table.columns.includes(column))
      issues.push({
        code: "missing-field",
        path: [column],
        file: path,
        line: 1,
        message: `missing column "${column}"`,
        allowed: ["arrival_time_ns", ...TIMING_COLUMNS],
      });
  if (!trace.arrivalSec || !table.columns.includes("arrival_time_ns"))
    issues.push({
      code: "missing-field",
      path: ["arrival_time_ns"],
      file: path,
      line: 1,
      message: 'missing column "arrival_time_ns" (arrivals are replayed)',
    });
  if (issues.length > 0) throw new InputError(issues);
  const n = table.length;
  const arrival = new Float64Array(n);
  const firstToken = new Float64Array(n);
  const completion = new Float64Array(n);
  const cell = (row: number, column: string): number => {
    const value = Number(table[row]?.[column]);
    if (!Number.isFinite(value) || value < 0)
      issues.push({
        code: "invalid-value",
        path: [column],
        file: path,
        line: row + 2,
        column: table.columns.indexOf(column) + 1,
        message: `expected a time in ns >= 0, got "${table[row]?.[column]}"`,
      });
    return value;
  };
  let origin = Number.POSITIVE_INFINITY;
  for (let r = 0; r < n; r++) origin = Math.min(origin, cell(r, "arrival_time_ns"));
  for (let r = 0; r < n && issues.length < 20; r++) {
    const arrivalNs = cell(r, "arrival_time_ns");
    const ttftNs = cell(r, "ttft_ns");
    const completionNs = cell(r, "completion_time_ns");
    if (completionNs < arrivalNs + ttftNs)
      issues.push({
        code: "invalid-value",
        path: ["completion_time_ns"],
        file: path,
        line: r + 2,
        message: `completion ${completionNs} ns is before arrival + TTFT (${arrivalNs + ttftNs} ns)`,
      });
    arrival[r] = (arrivalNs - origin) / 1e9;
    firstToken[r] = (arrivalNs + ttftNs - origin) / 1e9;
    completion[r] = (completionNs - origin) / 1e9;
  }
  if (issues.length > 0) throw new InputError(issues.slice(0, 20));
  // readRequestTrace returns the lengths in arrival order (stable: ties keep file order); the
  // timings are put in the same order here, so each request keeps its own lengths.
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (arrival[a] as number) - (arrival[b] as number) || a - b,
  );
  const inOrder = (values: Float64Array) => Float64Array.from(order, (i) => values[i] as number);
  return {
    promptTokens: trace.promptTokens,
    times: {
      arrivalSec: inOrder(arrival),
      firstTokenSec: inOrder(firstToken),
      completionSec: inOrder(completion),
      outputTokens: trace.outputTokens,
    },
  };
}
