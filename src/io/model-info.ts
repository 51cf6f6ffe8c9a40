import { parseDocument } from "yaml";
import { InputError, type Issue } from "../core/issues.ts";
import type { ModelTimings } from "../core/sim/dejavu/planner.ts";
import { readText } from "./files.ts";

/**
 * Reads one model of DéjàVu's model_info.json: `batch_sizes` and `measurements_per_bs` ({bs:
 * [prompt ms, token ms]}). Timings pair with batch sizes by position in the file, as upstream
 * does, so the file is read with its key order kept (JSON.parse would reorder numeric keys).
 */
export function readModelTimings(path: string, model: string): ModelTimings {
  const text = readText(path, "--config_file");
  const document = parseDocument(text);
  const fail = (issues: Issue[]): never => {
    throw new InputError(issues.map((issue) => ({ ...issue, file: path })));
  };
  if (document.errors.length > 0)
    return fail([
      { code: "invalid-json", path: [], message: `not valid JSON: ${document.errors[0]?.message}` },
    ]);
  const data = document.toJS({ mapAsMap: true }) as unknown;
  if (!(data instanceof Map))
    return fail([
      { code: "invalid-type", path: [], message: "model_info must be an object keyed by model name" },
    ]);
  const entry = data.get(model) as unknown;
  if (entry === undefined) {
    return fail([
      {
        code: "unknown-id",
        path: ["--model"],
        message: `model "${model}" is not in the file`,
        allowed: [...data.keys()].map(String),
      },
    ]);
  }
  if (!(entry instanceof Map))
    return fail([
      {
        code: "invalid-type",
        path: [model],
        message: "must be an object with batch_sizes and measurements_per_bs",
      },
    ]);
  const batchSizes = entry.get("batch_sizes") as unknown;
  const measurements = entry.get("measurements_per_bs") as unknown;
  const issues: Issue[] = [];
  if (
    !Array.isArray(batchSizes) ||
    batchSizes.length === 0 ||
    !batchSizes.every((b) => Number.isInteger(b) && b >= 1)
  ) {
    issues.push({
      code: "invalid-value",
      path: [model, "batch_sizes"],
      message: "must be a non-empty list of integers >= 1",
    });
  } else if (batchSizes.some((b, i) => i > 0 && b <= (batchSizes[i - 1] as number))) {
    // The planner takes the largest batch that fits by scanning the list in order.
    issues.push({
      code: "invalid-value",
      path: [model, "batch_sizes"],
      message: `must be in increasing order, got ${JSON.stringify(batchSizes)}`,
    });
  }
  const timings: [number, number][] = [];
  if (!(measurements instanceof Map))
    issues.push({
      code: "invalid-type",
      path: [model, "measurements_per_bs"],
      message: "must be an object {batch size: [prompt ms, token ms]}",
    });
  else {
    for (const [key, value] of measurements) {
      if (
        !Array.isArray(value) ||
        value.length < 2 ||
        !value.slice(0, 2).every((v) => typeof v === "number" && Number.isFinite(v) && v >= 0)
      ) {
        issues.push({
          code: "invalid-value",
          path: [model, "measurements_per_bs", String(key)],
          message: "must be [prompt ms, token ms], numbers >= 0",
        });
      } else timings.push([value[0] as number, value[1] as number]);
    }
    if (Array.isArray(batchSizes) && timings.length < batchSizes.length) {
      issues.push({
        code: "invalid-value",
        path: [model, "measurements_per_bs"],
        message: `has ${timings.length} entries for ${batchSizes.length} batch sizes`,
      });
    }
  }
  if (issues.length > 0) return fail(issues);
  return { batchSizes: batchSizes as number[], timingsMs: timings };
}
