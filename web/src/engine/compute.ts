/**
 * The explorer's engine side: turns the form's state into the library's inputs with the same
 * builders the CLI uses, runs the engine and returns plain data (rows, tables, Vega-Lite specs).
 * Pure: no DOM, no Node APIs, so the worker and the Node benchmark run the same code.
 */

import { stepCsvRows } from "../../../src/cli/step-view.ts";
import { decodeSweepSpecOf, prefillSpecOf } from "../../../src/config/analysis-request.ts";
import { addHardwareText } from "../../../src/config/hardware-text.ts";
import { modelFromConfigText } from "../../../src/config/model-text.ts";
import { checkStepScenario, stepInputFromRegistry } from "../../../src/config/step-request.ts";
import { compareSteps } from "../../../src/core/analysis/compare-steps.ts";
import { type DecodeSweepSpec, decodeSweep, type Physics } from "../../../src/core/analysis/decode-sweep.ts";
import { EP_DECODE_COLUMNS, type EpDecodeRow } from "../../../src/core/analysis/ep-decode.ts";
import { catalogSweepGpus } from "../../../src/core/analysis/gpus.ts";
import { prefillBreakdown, prefillTables } from "../../../src/core/analysis/prefill-breakdown.ts";
import { decodeSweepOver, parseSweep } from "../../../src/core/analysis/sweep.ts";
import { type EpColumn, isEpColumn, summaryView } from "../../../src/core/analysis/views.ts";
import { HardwareRegistry } from "../../../src/core/hardware/catalog.ts";
import { InputError, type Issue } from "../../../src/core/issues.ts";
import { builtinModel, builtinModelIds } from "../../../src/core/model/catalog.ts";
import type { ModelSpec } from "../../../src/core/model/types.ts";
import { compareChartSpec } from "../../../src/core/report/compare-chart.ts";
import { memorySpec, rooflineSpec, stepBreakdownSpec } from "../../../src/core/report/step-charts.ts";
import { sweepChartPoints, sweepChartSpec } from "../../../src/core/report/sweep-chart.ts";
import type { StepResult } from "../../../src/core/step/result.ts";
import { simulateStep } from "../../../src/core/step/simulate.ts";
import { CUSTOM_MODEL, type State, type View } from "../state.ts";
import type { Table } from "./protocol.ts";

const bad = (path: string, message: string, allowed?: readonly string[]): InputError =>
  new InputError([{ code: "invalid-value", path: [path], message, ...(allowed ? { allowed } : {}) }]);

/** The model a field names: a catalog id, or the pasted config.json (parsed as the CLI parses a file). */
export function modelOf(state: State, field: "model" | "serveModel" | "planModel" = "model"): ModelSpec {
  const id = state[field];
  if (id === CUSTOM_MODEL) {
    if (state.modelText.trim() === "")
      throw bad("config.json", "paste or drop a Hugging Face config.json first");
    const result = modelFromConfigText(state.modelText, CUSTOM_MODEL, CUSTOM_MODEL);
    if (!result.ok) throw new InputError(result.issues);
    return result.model;
  }
  const result = builtinModel(id);
  if (!result.ok) throw new InputError(result.issues.map((i) => ({ ...i, path: [field] })));
  return result.model;
}

/** The catalog plus the custom accelerators (a hardware file's text, as `--hardware-file` reads it). */
export function registryOf(state: State): HardwareRegistry {
  const registry = new HardwareRegistry();
  if (state.hardwareText.trim() !== "") {
    const issues = addHardwareText(registry, state.hardwareText, "hardware.json");
    if (issues.length > 0) throw new InputError(issues);
  }
  return registry;
}

/** Step-scenario fields and how the form's strings become scenario values. */
const STEP_NUMBERS = [
  "tp",
  "pp",
  "dp",
  "ep",
  "batch",
  "seq",
  "context",
  "cached",
  "prefillBatch",
  "redundantExperts",
  "expertImbalance",
  "memoryUtilization",
  "scaleUpGBps",
  "scaleOutGBps",
  "hbmGBps",
] as const;
const STEP_TEXTS = ["phase", "weightDtype", "kvDtype", "activationDtype", "overlap", "mla", "a2a"] as const;

/** The step scenario of the form (what `llmsim step --scenario` would read), before the schema check. */
export function stepScenarioRecord(state: State): Record<string, unknown> {
  const record: Record<string, unknown> = { model: state.model, hardware: state.hardware };
  for (const key of STEP_NUMBERS) if (state[key].trim() !== "") record[key] = Number(state[key]);
  for (const key of STEP_TEXTS) if (state[key] !== "") record[key] = state[key];
  if (state.ignoreMemory === "true") record.ignoreMemory = true;
  return record;
}

/** Scenario B of the compare view: scenario A with B's overrides. */
export function compareBState(state: State): State {
  return {
    ...state,
    ...(state.bHardware !== "" ? { hardware: state.bHardware } : {}),
    ...(state.bTp !== "" ? { tp: state.bTp } : {}),
    ...(state.bDp !== "" ? { dp: state.bDp } : {}),
    ...(state.bEp !== "" ? { ep: state.bEp } : {}),
    ...(state.bBatch !== "" ? { batch: state.bBatch } : {}),
  };
}

function runStep(state: State): {
  result: StepResult;
  hardware: ReturnType<typeof stepInputFromRegistry>["hardware"];
} {
  const scenario = checkStepScenario(stepScenarioRecord(state));
  const input = stepInputFromRegistry(scenario, modelOf(state), registryOf(state));
  return { result: simulateStep(input), hardware: input.hardware };
}

export interface StepView {
  readonly result: StepResult;
  readonly layers: Table;
  readonly ops: Table;
  readonly charts: { breakdown?: object; roofline?: object; memory: object };
}

function stepView(state: State): StepView {
  const { result, hardware } = runStep(state);
  const label = `${result.hardware.name}, tp ${result.parallel.tp} dp ${result.parallel.dp} ep ${result.parallel.ep}`;
  const simulated = result.totals !== null;
  return {
    result,
    layers: stepCsvRows(result, false),
    ops: stepCsvRows(result, true),
    charts: {
      ...(simulated
        ? { breakdown: stepBreakdownSpec(result), roofline: rooflineSpec(result, hardware) }
        : {}),
      memory: memorySpec(result.memory, label),
    },
  };
}

/** "16,32,64" -> [16, 32, 64]; the field named in the issue otherwise. */
export function intListOf(text: string, field: string, min = 1): number[] | undefined {
  if (text.trim() === "") return undefined;
  const parts = text.split(",").map((part) => part.trim());
  if (parts.some((part) => !/^\d+$/.test(part) || Number(part) < min))
    throw bad(field, `expected comma-separated integers >= ${min}, e.g. 16,32,64`);
  return parts.map(Number);
}

const numberOf = (text: string, field: string, min = 0): number | undefined => {
  if (text.trim() === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) throw bad(field, `must be a number >= ${min}`);
  return value;
};

const physicsOf = (state: State): Physics => {
  if (state.preset !== "llmsim" && state.preset !== "shallowsim")
    throw bad("preset", "unknown preset", ["llmsim", "shallowsim"]);
  return state.preset;
};

const namesOf = (text: string) =>
  text.trim() === ""
    ? undefined
    : text
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean);

/** The decode table's spec: `llmsim decode-sweep` with the same flags. */
export function decodeSpecOf(state: State): DecodeSweepSpec {
  const physics = physicsOf(state);
  const model = modelOf(state);
  const gpus = catalogSweepGpus(physics, registryOf(state), namesOf(state.gpus));
  const batchSizes = intListOf(state.batchSizes, "batchSizes");
  const tps = intListOf(state.tps, "tp");
  const eps = intListOf(state.eps, "ep");
  const seqLen = numberOf(state.seqLen, "seqLen", 1);
  const decodeLen = numberOf(state.decodeLen, "decodeLen");
  const tpsLimit = numberOf(state.tpsLimit, "tpsLimit");
  return decodeSweepSpecOf(model, gpus, physics, {
    ...(batchSizes ? { batchSizes } : {}),
    ...(tps ? { tps } : {}),
    ...(eps ? { eps } : {}),
    ...(seqLen !== undefined ? { seqLen } : {}),
    ...(decodeLen !== undefined ? { decodeLen } : {}),
    ...(tpsLimit !== undefined ? { tpsLimit } : {}),
    fp8Combine: state.fp8Combine === "true",
  });
}

export interface DecodeView {
  readonly columns: readonly string[];
  readonly rows: readonly EpDecodeRow[];
  readonly summary: readonly EpDecodeRow[];
}

/** Seed 000's EP decode table (every row) and its summary view (best per GPU and batch size). */
export function decodeView(state: State): DecodeView {
  const rows = decodeSweep(decodeSpecOf(state));
  return { columns: EP_DECODE_COLUMNS, rows, summary: summaryView(rows) };
}

function prefillView(state: State) {
  const physics = physicsOf(state);
  const model = modelOf(state);
  const gpus = catalogSweepGpus(physics, registryOf(state), namesOf(state.gpus));
  const tp = numberOf(state.prefillTp, "prefillTp", 1);
  const dp = numberOf(state.prefillDp, "prefillDp", 1);
  const seqLen = numberOf(state.seqLen, "seqLen", 1);
  const kvCacheRate = numberOf(state.kvCacheRate, "kvCacheRate");
  if (kvCacheRate !== undefined && kvCacheRate > 1) throw bad("kvCacheRate", "must be a fraction in [0, 1]");
  const spec = prefillSpecOf(model, gpus, physics, {
    ...(tp !== undefined ? { tp } : {}),
    ...(dp !== undefined ? { dp } : {}),
    ...(seqLen !== undefined ? { seqLen } : {}),
    ...(kvCacheRate !== undefined ? { kvCacheRate } : {}),
  });
  return { ...prefillTables(model, prefillBreakdown(spec)), seqLen: spec.seqLen, tp: spec.tp, dp: spec.dp };
}

function sweepView(state: State) {
  const parsed = parseSweep(state.sweep);
  if (!parsed.ok) throw new InputError(parsed.issues.map((i) => ({ ...i, path: ["sweep"] })));
  const metric = state.sweepMetric;
  if (!isEpColumn(metric) || metric === "GPU")
    throw bad(
      "sweepMetric",
      `unknown column "${metric}"`,
      EP_DECODE_COLUMNS.filter((c) => c !== "GPU"),
    );
  const blocks = decodeSweepOver(decodeSpecOf(state), parsed.sweep);
  const options = {
    metric: metric as EpColumn,
    lineBy: state.sweepBy === "ep" ? ("EP" as const) : ("BatchSize" as const),
    xLabel: parsed.sweep.column,
  };
  const rows = blocks.flatMap((block) =>
    block.rows.map((row) => [...EP_DECODE_COLUMNS.map((c) => row[c]), block.value]),
  );
  return {
    chart: sweepChartSpec(sweepChartPoints(blocks, options), options),
    table: { head: [...EP_DECODE_COLUMNS, parsed.sweep.column], rows } satisfies Table,
  };
}

function compareView(state: State) {
  const a = runStep(state).result;
  const b = runStep(compareBState(state)).result;
  if (!a.totals || !b.totals)
    throw new InputError([
      {
        code: "does-not-fit",
        path: [a.totals ? "bHardware" : "hardware"],
        message: `scenario ${a.totals ? "B" : "A"} does not fit in memory; nothing to compare (see the step view)`,
      },
    ]);
  const comparison = compareSteps(a, b);
  return { a, b, comparison, chart: compareChartSpec(comparison.byOp) };
}

/** What the form offers: catalog models, the accelerators (custom ones included), ShallowSim's GPUs. */
function catalogView(state: State) {
  let accelerators: string[];
  let hardwareIssues: readonly Issue[] = [];
  try {
    accelerators = registryOf(state)
      .list()
      .map((r) => r.name);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    hardwareIssues = error.issues;
    accelerators = new HardwareRegistry().list().map((r) => r.name);
  }
  let selected: unknown = null;
  try {
    selected = registryOf(state).get(state.hardware) ?? null;
  } catch {
    selected = null;
  }
  return { models: builtinModelIds(), accelerators, hardwareIssues, selected };
}

const VIEW_COMPUTE: Partial<Record<View | "catalog", (state: State) => unknown>> = {
  catalog: catalogView,
  step: stepView,
  decode: decodeView,
  prefill: prefillView,
  sweep: sweepView,
  compare: compareView,
};

/** Runs one view; input problems come back as issues, anything else is a bug and is rethrown. */
export function computeView(
  view: View | "catalog",
  state: State,
): { ok: true; data: unknown } | { ok: false; issues: readonly Issue[] } {
  const compute = VIEW_COMPUTE[view];
  if (!compute)
    return {
      ok: false,
      issues: [{ code: "not-available", path: ["view"], message: `the ${view} view is not available yet` }],
    };
  try {
    return { ok: true, data: compute(state) };
  } catch (error) {
    if (error instanceof InputError) return { ok: false, issues: error.issues };
    throw error;
  }
}
