import { type PlanParts, parsePriceTable, planSpecFromParts } from "../config/plan-request.ts";
import type { PlanScenario } from "../config/schema/plan.ts";
import type { PlanSpec } from "../core/plan/spec.ts";
import { readText, resolveFrom } from "./files.ts";
import { loadHardwareRegistry } from "./hardware.ts";
import { loadModel } from "./model.ts";
import { readRequestTrace } from "./request-trace.ts";

/**
 * $ per GPU-hour by hardware name from a file: a CSV whose header names a hardware column and a
 * price column (hardware,usd_per_gpu_hour), or a YAML/JSON map { H800: 2.0 }. Errors name the
 * file and line.
 */
export function readPriceFile(path: string): Map<string, number> {
  return parsePriceTable(readText(path, "priceFile"), path);
}

/**
 * The plan's spec from a scenario (a file merged with flags): loads the model, the hardware (with
 * extra files), a trace and a price file (paths relative to `baseFile`), then builds and validates
 * the spec with `planSpecFromParts`. Throws InputError naming the field (and file) of every problem.
 */
export function planSpecFromScenario(scenario: PlanScenario, baseFile?: string): PlanSpec {
  const model = loadModel(scenario.model, baseFile);
  const registry = loadHardwareRegistry((scenario.hardwareFile ?? []).map((f) => resolveFrom(baseFile, f)));
  // The price file before the trace: the first file that fails is the error, as it always was.
  const filePrices = scenario.priceFile
    ? readPriceFile(resolveFrom(baseFile, scenario.priceFile))
    : undefined;
  const trace = scenario.traceFile
    ? readRequestTrace(resolveFrom(baseFile, scenario.traceFile), "traceFile")
    : undefined;
  const parts: PlanParts = {
    model,
    registry,
    ...(trace ? { trace } : {}),
    ...(filePrices ? { filePrices } : {}),
  };
  return planSpecFromParts(scenario, parts);
}
