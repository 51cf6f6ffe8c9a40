import { csvParse } from "d3-dsv";
import { InputError, type Issue } from "../core/issues.ts";
import { parseTokenTrace } from "../core/sim/dejavu/trace-input.ts";
import { MAX_REQUEST_TOKENS } from "../core/sim/requests.ts";
import { parseJsonText, readText } from "./files.ts";

/** Requests read from a file: lengths, and arrival times when the file has them (seconds). */
export interface RequestTrace {
  readonly arrivalSec: Float64Array | null;
  readonly promptTokens: Int32Array;
  readonly outputTokens: Int32Array;
}

const ARRIVAL_COLUMNS: readonly (readonly [string, number])[] = [
  ["arrival_time_ns", 1e-9],
  ["arrived_at", 1],
  ["arrival_time_s", 1],
  ["arrival_time", 1],
  ["timestamp", 1],
];
const PROMPT_COLUMNS = ["num_prefill_tokens", "input_tokens", "prompt_tokens", "input_length", "prompt_len"];
const OUTPUT_COLUMNS = [
  "num_decode_tokens",
  "output_tokens",
  "generated_tokens",
  "output_length",
  "output_len",
];

/**
 * Reads a request trace: a DéjàVu JSON list of [prompt_size, num_generated_tokens], or a CSV with
 * prompt and output token columns (Vidur's num_prefill_tokens/num_decode_tokens, or
 * input_tokens/output_tokens) and optionally arrival times (arrived_at in s, Vidur's traces, or
 * arrival_time_ns, seed 004's request_metrics.csv). Errors name the file, row and column.
 */
export function readRequestTrace(path: string, field = "--trace-file"): RequestTrace {
  const text = readText(path, field);
  const fail = (issues: Issue[]): never => {
    throw new InputError(issues.slice(0, 20).map((issue) => ({ ...issue, file: path })));
  };
  if (/^\s*[[{]/.test(text)) {
    const data = parseJsonText(text, path);
    const parsed = parseTokenTrace(data);
    if (!parsed.ok) return fail(parsed.issues);
    const issues: Issue[] = [];
    parsed.entries.forEach((entry, index) => {
      if (entry.promptTokens < 1 || entry.outputTokens < 1)
        issues.push({
          code: "invalid-value",
          path: [index],
          message: `entry ${index}: a request needs at least 1 prompt and 1 output token, got [${entry.promptTokens}, ${entry.outputTokens}]`,
        });
    });
    if (parsed.entries.length === 0)
      issues.push({ code: "invalid-value", path: [], message: "the trace has no entries" });
    if (issues.length > 0) return fail(issues);
    return {
      arrivalSec: null,
      promptTokens: Int32Array.from(parsed.entries, (e) => e.promptTokens),
      outputTokens: Int32Array.from(parsed.entries, (e) => e.outputTokens),
    };
  }
  const rows = csvParse(text);
  const find = (names: readonly string[]) => names.find((name) => rows.columns.includes(name));
  const promptColumn = find(PROMPT_COLUMNS);
  const outputColumn = find(OUTPUT_COLUMNS);
  if (!promptColumn || !outputColumn) {
    return fail([
      {
        code: "missing-field",
        path: [promptColumn ? "output tokens" : "prompt tokens"],
        message: `a CSV trace needs a prompt column (${PROMPT_COLUMNS.join(", ")}) and an output column (${OUTPUT_COLUMNS.join(", ")}); found ${rows.columns.join(", ")}`,
      },
    ]);
  }
  const arrival = ARRIVAL_COLUMNS.find(([name]) => rows.columns.includes(name));
  const issues: Issue[] = [];
  const count = rows.length;
  const arrivalSec = arrival ? new Float64Array(count) : null;
  const promptTokens = new Int32Array(count);
  const outputTokens = new Int32Array(count);
  const integer = (row: number, column: string, value: string | undefined): number => {
    const parsed = Number(value);
    if (
      value === undefined ||
      value.trim() === "" ||
      !Number.isInteger(parsed) ||
      parsed < 1 ||
      parsed > MAX_REQUEST_TOKENS
    ) {
      issues.push({
        code: "invalid-value",
        path: [row + 2, column],
        message: `row ${row + 2}: ${column} must be an integer from 1 to ${MAX_REQUEST_TOKENS.toLocaleString("en-US")}, got ${JSON.stringify(value ?? "")}`,
      });
      return 1;
    }
    return parsed;
  };
  rows.forEach((row, index) => {
    promptTokens[index] = integer(index, promptColumn, row[promptColumn]);
    outputTokens[index] = integer(index, outputColumn, row[outputColumn]);
    if (arrival && arrivalSec) {
      const [name, scale] = arrival;
      const value = Number(row[name]);
      if (row[name] === undefined || row[name]?.trim() === "" || !Number.isFinite(value) || value < 0) {
        issues.push({
          code: "invalid-value",
          path: [index + 2, name],
          message: `row ${index + 2}: ${name} must be a number >= 0, got ${JSON.stringify(row[name] ?? "")}`,
        });
      } else arrivalSec[index] = value * scale;
    }
  });
  if (count === 0) issues.push({ code: "invalid-value", path: [], message: "the trace has no rows" });
  if (issues.length > 0) return fail(issues);
  if (arrivalSec) {
    // Requests in arrival order (stable), times relative to the first arrival.
    const order = Array.from({ length: count }, (_, i) => i).sort(
      (a, b) => (arrivalSec[a] as number) - (arrivalSec[b] as number) || a - b,
    );
    const start = arrivalSec[order[0] as number] as number;
    return {
      arrivalSec: Float64Array.from(order, (i) => (arrivalSec[i] as number) - start),
      promptTokens: Int32Array.from(order, (i) => promptTokens[i] as number),
      outputTokens: Int32Array.from(order, (i) => outputTokens[i] as number),
    };
  }
  return { arrivalSec: null, promptTokens, outputTokens };
}
