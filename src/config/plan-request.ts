import { csvParseRows } from "d3-dsv";
import { z } from "zod";
import type { HardwareRegistry } from "../core/hardware/catalog.ts";
import { hardwareSpecOf } from "../core/hardware/resolve.ts";
import type { AcceleratorRecord } from "../core/hardware/types.ts";
import { InputError, type Issue } from "../core/issues.ts";
import type { ModelSpec } from "../core/model/types.ts";
import { defaultPlanAxes, PLAN_DEFAULTS } from "../core/plan/defaults.ts";
import { lengthStatistics, type PlanLengths, type PlanSpec, validatePlanSpec } from "../core/plan/spec.ts";
import { type LengthDistribution, LMSYS_LIKE, parseLengthDistribution } from "../core/sim/requests.ts";
import { loadWithSchema } from "./load.ts";
import type { PlanScenario } from "./schema/plan.ts";

/** Requests of a trace, as `io/request-trace.ts` reads them (arrival times in seconds, when it has them). */
export interface PlanTrace {
  readonly promptTokens: ArrayLike<number>;
  readonly outputTokens: ArrayLike<number>;
  readonly arrivalSec: ArrayLike<number> | null;
}

/**
 * What a plan scenario names, already loaded: the model, the hardware registry (the catalog plus
 * the scenario's hardware files), the trace's requests (for `traceFile`) and the price file's
 * $ per GPU-hour by hardware name (for `priceFile`). The CLI loads them from disk
 * (`io/plan-input.ts`); a browser gets them however it likes.
 */
export interface PlanParts {
  readonly model: ModelSpec;
  readonly registry: HardwareRegistry;
  readonly trace?: PlanTrace;
  readonly filePrices?: ReadonlyMap<string, number>;
}

const priceMapSchema = z.record(z.string().min(1), z.number().nonnegative());

/**
 * $ per GPU-hour by hardware name from a price file's text: a CSV (a `.csv` name) whose header
 * names a hardware column and a price column (hardware,usd_per_gpu_hour), or a YAML/JSON map
 * { H800: 2.0 }. `file` names it in errors, with the line.
 */
export function parsePriceTable(text: string, file: string): Map<string, number> {
  const fail = (line: number | undefined, message: string): never => {
    throw new InputError([
      { code: "invalid-value", path: [], file, ...(line ? { line, column: 1 } : {}), message },
    ]);
  };
  if (/\.csv$/i.test(file)) {
    const rows = csvParseRows(text.trim());
    const header = (rows[0] ?? []).map((cell) => cell.trim().toLowerCase());
    const nameColumn = header.findIndex((cell) => ["hardware", "name", "gpu", "accelerator"].includes(cell));
    const priceColumn = header.findIndex((cell) => /usd|price|\$/.test(cell));
    if (nameColumn < 0 || priceColumn < 0)
      fail(
        1,
        `the header needs a hardware column and a price column (e.g. "hardware,usd_per_gpu_hour"), got "${header.join(",")}"`,
      );
    const prices = new Map<string, number>();
    rows.slice(1).forEach((row, i) => {
      const name = (row[nameColumn] ?? "").trim();
      const cell = (row[priceColumn] ?? "").trim();
      const price = Number(cell);
      if (name === "") fail(i + 2, "the hardware name is empty");
      if (cell === "" || !Number.isFinite(price) || price < 0)
        fail(i + 2, `price of ${name}: expected a number >= 0 ($ per GPU-hour), got "${cell}"`);
      prices.set(name, price);
    });
    return prices;
  }
  const loaded = loadWithSchema(text, file, priceMapSchema);
  if (!loaded.ok) throw new InputError(loaded.issues);
  return new Map(Object.entries(loaded.value));
}

function lengthOf(value: number | string | undefined, which: "prompt" | "output"): LengthDistribution {
  if (value === undefined) return LMSYS_LIKE[which];
  if (typeof value === "number") return { kind: "fixed", tokens: value };
  return parseLengthDistribution(value, which) as LengthDistribution;
}

/** A scenario that names a file whose contents the caller did not pass. */
function missingPart(field: "traceFile" | "priceFile", name: string, part: string): Issue {
  return {
    code: "missing-field",
    path: [field],
    message: `${field} "${name}" is named but its contents were not given (${part})`,
  };
}

/**
 * The plan's spec from a scenario (a file merged with flags) and what it names, loaded: resolves
 * the hardware, applies the budget, prices (the price file's, then the scenario's own), the trace's
 * lengths and rate, the axis defaults, and validates. Pure: no file system. Throws InputError
 * naming the field of every problem. `scenario.predictor` names files, so it is left to the caller
 * (the CLI's withPredictor loads them and adds the spec's `predictor`).
 */
export function planSpecFromParts(scenario: PlanScenario, parts: PlanParts): PlanSpec {
  const { model, registry } = parts;
  const issues: Issue[] = [];
  // Hardware in order of first mention; the role lists name subsets of it.
  const records: AcceleratorRecord[] = [];
  const indexOf = (name: string, field: string): number | null => {
    const resolved = registry.resolve(name, [field]);
    if (!resolved.ok) {
      issues.push(...resolved.issues);
      return null;
    }
    let index = records.findIndex((r) => r.name === resolved.record.name);
    if (index < 0) index = records.push(resolved.record) - 1;
    return index;
  };
  const listOf = (list: readonly string[] | undefined, field: string) =>
    list?.flatMap((name) => {
      const i = indexOf(name, field);
      return i === null ? [] : [i];
    });
  const all = listOf(scenario.hardware, "hardware") ?? [];
  const aggregatedHardware = listOf(scenario.aggregatedHardware, "aggregatedHardware") ?? all;
  const prefillHardware = listOf(scenario.prefillHardware, "prefillHardware") ?? all;
  const decodeHardware = listOf(scenario.decodeHardware, "decodeHardware") ?? all;
  const planned = (name: string, field: string): number | null => {
    const resolved = registry.resolve(name, [field]);
    const index = resolved.ok ? records.findIndex((r) => r.name === resolved.record.name) : -1;
    if (index < 0)
      issues.push({
        code: "unknown-id",
        path: [field, name],
        message: `"${name}" is not among the plan's hardware`,
        allowed: records.map((r) => r.name),
      });
    return index < 0 ? null : index;
  };

  const perHardware: (number | null)[] = records.map(() => null);
  let gpus: number;
  if (typeof scenario.gpus === "number") gpus = scenario.gpus;
  else {
    gpus = 0;
    for (const [name, limit] of Object.entries(scenario.gpus)) {
      const index = planned(name, "gpus");
      if (index !== null) perHardware[index] = limit;
      gpus += limit;
    }
    for (const [index, limit] of perHardware.entries())
      if (limit === null)
        issues.push({
          code: "missing-field",
          path: ["gpus", records[index]?.name ?? ""],
          message: "a per-hardware budget must give every planned hardware a count",
        });
  }

  const prices: (number | null)[] = records.map((r) => r.priceUsdPerGpuHour ?? null);
  const setPrices = (entries: Iterable<[string, number]>, field: string) => {
    for (const [name, price] of entries) {
      const index = planned(name, field);
      if (index !== null) prices[index] = price;
    }
  };
  if (parts.filePrices) setPrices(parts.filePrices, "priceFile");
  else if (scenario.priceFile) issues.push(missingPart("priceFile", scenario.priceFile, "parts.filePrices"));
  if (scenario.prices) setPrices(Object.entries(scenario.prices), "price");

  let lengths: PlanLengths;
  let rate = scenario.rate ?? null;
  const trace = parts.trace;
  if (trace) {
    lengths = {
      kind: "trace",
      promptTokens: Array.from(trace.promptTokens),
      outputTokens: Array.from(trace.outputTokens),
    };
    const arrivals = trace.arrivalSec;
    if (rate === null && arrivals && arrivals.length > 1) {
      const span = (arrivals[arrivals.length - 1] as number) - (arrivals[0] as number);
      if (span > 0) rate = (arrivals.length - 1) / span;
    }
  } else {
    if (scenario.traceFile) issues.push(missingPart("traceFile", scenario.traceFile, "parts.trace"));
    lengths = {
      kind: "distributions",
      prompt: lengthOf(scenario.isl, "prompt"),
      output: lengthOf(scenario.osl, "output"),
    };
  }
  if (issues.length > 0) throw new InputError(issues);

  const hardware = records.map(hardwareSpecOf);
  const defaults = defaultPlanAxes(model, records.length, gpus);
  const used = new Set([...aggregatedHardware, ...prefillHardware, ...decodeHardware]);
  const objective =
    scenario.objective ?? ([...used].every((h) => prices[h] !== null) ? "cost" : "throughput");
  const latencyUs =
    scenario.kvLinkLatencyUs ?? Math.max(0, ...records.map((r) => r.scaleOut?.latencyUs ?? 0));
  const spec: PlanSpec = {
    model,
    hardware,
    pricesUsdPerGpuHour: prices,
    axes: {
      modes: scenario.modes ?? defaults.modes,
      aggregatedHardware,
      prefillHardware,
      decodeHardware,
      tp: scenario.tp ?? defaults.tp,
      pp: scenario.pp ?? defaults.pp,
      dp: scenario.dp ?? defaults.dp,
      experts: scenario.experts ?? defaults.experts,
      overlap: scenario.overlap ?? defaults.overlap,
      batch: scenario.batch ?? defaults.batch,
      kvDtype: scenario.kvDtype ?? [scenario.activationDtype ?? "bf16"],
      prefillReplicas: scenario.prefillReplicas ?? defaults.prefillReplicas,
      decodeReplicas: scenario.decodeReplicas ?? defaults.decodeReplicas,
    },
    budget: { gpus, gpusPerHardware: perHardware },
    lengths,
    statistics: lengthStatistics(lengths),
    ratePerSec: rate,
    slo: {
      ...(scenario.ttftMs !== undefined ? { ttftMs: scenario.ttftMs } : {}),
      ...(scenario.tpotMs !== undefined ? { tpotMs: scenario.tpotMs } : {}),
      percentile: scenario.percentile ?? PLAN_DEFAULTS.percentile,
    },
    objective,
    dtypes: {
      ...(scenario.weightDtype ? { weight: scenario.weightDtype } : {}),
      ...(scenario.activationDtype ? { activation: scenario.activationDtype } : {}),
    },
    memoryUtilization: scenario.memoryUtilization ?? PLAN_DEFAULTS.memoryUtilization,
    allReduce: scenario.allReduce ?? PLAN_DEFAULTS.allReduce,
    maxBatchedTokens: scenario.maxBatchedTokens ?? PLAN_DEFAULTS.maxBatchedTokens,
    ...(scenario.hostOverheadMs ? { hostOverheadMs: scenario.hostOverheadMs } : {}),
    kvLink: {
      bandwidthBytesPerSecPerGpu: scenario.kvLinkGBps === undefined ? null : scenario.kvLinkGBps * 1e9,
      latencySec: latencyUs / 1e6,
    },
    recheck: {
      candidates: scenario.recheck ?? PLAN_DEFAULTS.recheckCandidates,
      requests: scenario.recheckRequests ?? PLAN_DEFAULTS.recheckRequests,
      load: scenario.recheckLoad ?? PLAN_DEFAULTS.recheckLoad,
      seed: scenario.seed ?? PLAN_DEFAULTS.seed,
    },
  };
  const problems = validatePlanSpec(spec);
  if (problems.length > 0) throw new InputError(problems);
  return spec;
}
