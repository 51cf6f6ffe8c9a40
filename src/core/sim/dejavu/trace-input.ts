import type { Issue } from "../../issues.ts";
import { MAX_REQUEST_TOKENS } from "../requests.ts";

/** A DéjàVu trace entry: [prompt tokens, generated tokens]. */
export interface TraceEntry {
  readonly promptTokens: number;
  readonly outputTokens: number;
}

/**
 * Validates a DéjàVu trace: a JSON list of [prompt_size, num_generated_tokens] pairs of
 * integers from 0 to MAX_REQUEST_TOKENS. Issues name the entry index.
 */
export function parseTokenTrace(
  data: unknown,
): { ok: true; entries: TraceEntry[] } | { ok: false; issues: Issue[] } {
  if (!Array.isArray(data)) {
    return {
      ok: false,
      issues: [
        {
          code: "invalid-type",
          path: [],
          message: "a trace must be a JSON list of [prompt_size, num_generated_tokens] pairs",
        },
      ],
    };
  }
  const issues: Issue[] = [];
  const entries: TraceEntry[] = [];
  data.forEach((entry, index) => {
    if (!Array.isArray(entry) || entry.length < 2) {
      issues.push({
        code: "invalid-type",
        path: [index],
        message: `entry ${index} must be a pair [prompt_size, num_generated_tokens], got ${JSON.stringify(entry)}`,
      });
      return;
    }
    const [prompt, generated] = entry as unknown[];
    for (const [name, value] of [
      ["prompt_size", prompt],
      ["num_generated_tokens", generated],
    ] as const) {
      if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_REQUEST_TOKENS) {
        issues.push({
          code: "invalid-value",
          path: [index, name],
          message: `entry ${index}: ${name} must be an integer from 0 to ${MAX_REQUEST_TOKENS.toLocaleString("en-US")}, got ${JSON.stringify(value)}`,
        });
      }
    }
    if (issues.length === 0)
      entries.push({ promptTokens: prompt as number, outputTokens: generated as number });
  });
  if (issues.length > 0) return { ok: false, issues: issues.slice(0, 20) };
  return { ok: true, entries };
}

/** DéjàVu's use of a trace: the first `limit` entries' generated tokens, clamped to [2, 1000]. */
export function dejavuTokenCounts(entries: readonly TraceEntry[], limit = 512): Int32Array {
  const count = Math.min(limit, entries.length);
  const tokens = new Int32Array(count);
  for (let i = 0; i < count; i++)
    tokens[i] = Math.min(1000, Math.max(2, (entries[i] as TraceEntry).outputTokens));
  return tokens;
}
