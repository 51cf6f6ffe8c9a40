/**
 * The explorer's engine side: turns the form's state into the library's inputs with the same
 * builders the CLI uses, runs the engine and returns plain data (rows, tables, Vega-Lite specs).
 * Pure: no DOM, no Node APIs, so the worker and the Node benchmark run the same code.
 */

import { csvParseRows } from "d3-dsv";
import { planCsv, planJson, renderPlanReport } from "../../../src/cli/plan-view.ts";
import { stepCsvRows } from "../../../src/cli/step-view.ts";
import { decodeSweepSpecOf, prefillSpecOf } from "../../../src/config/analysis-request.ts";
import {
  dtypeValue,
  FlagValueError,
  fractionValue,
  gpuBudgetValue,
  intAtLeastValue,
  intListValue,
  lengthValue,
  nameListValue,
  oneOfValue,
  positiveNumberValue,
} from "../../../src/config/flag-values.ts";
import { addHardwareText } from "../../../src/config/hardware-text.ts";
import { mergedScenarioIssues } from "../../../src/config/load.ts";
import { modelFromConfigText } from "../../../src/config/model-text.ts";
import { planSpecFromParts } from "../../../src/config/plan-request.ts";
import { predictorFamiliesFromText } from "../../../src/config/predictor-text.ts";
import { planScenarioSchema } from "../../../src/config/schema/plan.ts";
import {
  ARRIVAL_KINDS,
  type ServeOptions,
  serveJson,
  serveRequests,
  serveSetup,
} from "../../../src/config/serve-request.ts";
import { STEP_FIELD_PARSERS, type StepField } from "../../../src/config/step-fields.ts";
import { checkStepScenario, stepInputFromRegistry } from "../../../src/config/step-request.ts";
import { compareSteps } from "../../../src/core/analysis/compare-steps.ts";
import { type DecodeSweepSpec, decodeSweep, type Physics } from "../../../src/core/analysis/decode-sweep.ts";
import { EP_DECODE_COLUMNS, type EpDecodeRow } from "../../../src/core/analysis/ep-decode.ts";
import { catalogSweepGpus } from "../../../src/core/analysis/gpus.ts";
import { prefillBreakdown, prefillTables } from "../../../src/core/analysis/prefill-breakdown.ts";
import { decodeSweepOver, parseSweep } from "../../../src/core/analysis/sweep.ts";
import { type EpColumn, isEpColumn, summaryView } from "../../../src/core/analysis/views.ts";
import { ALL_REDUCE_IMPLEMENTATIONS } from "../../../src/core/collectives/custom-all-reduce.ts";
import { HardwareRegistry } from "../../../src/core/hardware/catalog.ts";
import { InputError, type Issue } from "../../../src/core/issues.ts";
import { builtinModel, builtinModelIds } from "../../../src/core/model/catalog.ts";
import type { ModelSpec } from "../../../src/core/model/types.ts";
import { runPlan } from "../../../src/core/plan/run.ts";
import type { KernelFamily } from "../../../src/core/predictor/family.ts";
import { familyHardwareLookup } from "../../../src/core/predictor/family-hardware.ts";
import { familyPredictor } from "../../../src/core/predictor/measured.ts";
import { rooflinePredictor } from "../../../src/core/predictor/roofline.ts";
import type { Predictor } from "../../../src/core/predictor/types.ts";
import { compareChartSpec } from "../../../src/core/report/compare-chart.ts";
import { latencyCdfPoints, latencyCdfSpec } from "../../../src/core/report/latency-cdf.ts";
import { paretoChartSpec } from "../../../src/core/report/pareto-chart.ts";
import { requestSpans, requestTimelineSpec } from "../../../src/core/report/request-timeline.ts";
import { memorySpec, rooflineSpec, stepBreakdownSpec } from "../../../src/core/report/step-charts.ts";
import { sweepChartPoints, sweepChartSpec } from "../../../src/core/report/sweep-chart.ts";
import { throughputChartSpec, throughputOverTime } from "../../../src/core/report/throughput-chart.ts";
import { simulateServing } from "../../../src/core/sim/serve/engine.ts";
import { requestMetricsCsv, summarizeServing } from "../../../src/core/sim/serve/metrics.ts";
import { SCHEDULER_KINDS } from "../../../src/core/sim/serve/types.ts";
import type { StepResult } from "../../../src/core/step/result.ts";
import { simulateStep } from "../../../src/core/step/simulate.ts";
import {
  CUSTOM_MODEL,
  type Field,
  predictorFileName,
  STEP_FORM_FIELDS,
  type State,
  type View,
} from "../state.ts";
import type { Table } from "./protocol.ts";

const bad = (path: string, message: string, allowed?: readonly string[]): InputError =>
  new InputError([{ code: "invalid-value", path: [path], message, ...(allowed ? { allowed } : {}) }]);

/**
 * The last value computed for a key: parsing a model, building the registry or the sweep GPUs once
 * per input rather than once per keystroke elsewhere in the form (results are never mutated).
 */
function memo<T>(compute: (key: string) => T): (key: string) => T {
  let last: { key: string; value: T } | null = null;
  return (key) => {
    if (last?.key !== key) last = { key, value: compute(key) };
    return last.value;
  };
}

const parsedModel = memo((key: string): ModelSpec => {
  const [field, id, text] = JSON.parse(key) as [string, string, string];
  if (id === CUSTOM_MODEL) {
    if (text.trim() === "") throw bad("config.json", "paste or drop a Hugging Face config.json first");
    const result = modelFromConfigText(text, CUSTOM_MODEL, CUSTOM_MODEL);
    if (!result.ok) throw new InputError(result.issues);
    return result.model;
  }
  const result = builtinModel(id);
  if (!result.ok) throw new InputError(result.issues.map((i) => ({ ...i, path: [field] })));
  return result.model;
});

/** The model a field names: a catalog id, or the pasted config.json (parsed as the CLI parses a file). */
export function modelOf(state: State, field: "model" | "serveModel" | "planModel" = "model"): ModelSpec {
  const id = state[field];
  return parsedModel(JSON.stringify([field, id, id === CUSTOM_MODEL ? state.modelText : ""]));
}

const builtRegistry = memo((hardwareText: string): HardwareRegistry => {
  const registry = new HardwareRegistry();
  if (hardwareText.trim() !== "") {
    const issues = addHardwareText(registry, hardwareText, "hardware.json");
    if (issues.length > 0) throw new InputError(issues);
  }
  return registry;
});

/** The catalog plus the custom accelerators (a hardware file's text, as `--hardware-file` reads it). */
export function registryOf(state: State): HardwareRegistry {
  return builtRegistry(state.hardwareText);
}

/** Predictor files loaded in this page, by their state value (name and content hash), newest last. */
const loadedPredictors = new Map<string, readonly KernelFamily[]>();
/** Files kept at once: each can hold megabytes of fitted grids. */
const KEPT_PREDICTORS = 4;

/**
 * Keeps a predictor file (`llmsim calibrate --out`) for the views whose `predictor` field names it,
 * read as `--predictor calibrated:<file>` reads it; its problems come back in the CLI's words.
 */
export function loadPredictor(
  value: string,
  text: string,
): { ok: true; data: { families: number; hardware: string[] } } | { ok: false; issues: readonly Issue[] } {
  const parsed = predictorFamiliesFromText(text, predictorFileName(value));
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  loadedPredictors.delete(value);
  loadedPredictors.set(value, parsed.value);
  for (const oldest of loadedPredictors.keys()) {
    if (loadedPredictors.size <= KEPT_PREDICTORS) break;
    loadedPredictors.delete(oldest);
  }
  return {
    ok: true,
    data: {
      families: parsed.value.length,
      hardware: [...new Set(parsed.value.map((f) => f.hardware))].sort(),
    },
  };
}

const loadedFamilies = memo((key: string) => {
  const [value, hardwareText] = JSON.parse(key) as [string, string];
  const families = loadedPredictors.get(value);
  if (!families)
    throw bad(
      "predictor",
      `${predictorFileName(value)} is not loaded in this page (a link names the file, it does not carry it): choose it again, or use the roofline`,
    );
  return { families, familyHardware: familyHardwareLookup(builtRegistry(hardwareText), families) };
});

/**
 * The predictor the form names (undefined: the roofline), as `--predictor calibrated:<file>` builds
 * it: ops without a family of their own get `fallback`, the roofline the CLI command would use.
 */
function predictorOf(state: State, fallback: Predictor = rooflinePredictor()): Predictor | undefined {
  if (state.predictor === "") return undefined;
  const { families, familyHardware } = loadedFamilies(JSON.stringify([state.predictor, state.hardwareText]));
  return familyPredictor(
    `calibrated:${predictorFileName(state.predictor)}`,
    "calibrated",
    families,
    fallback,
    familyHardware,
  );
}

const builtSweepGpus = memo((key: string) => {
  const [physics, hardwareText, names] = JSON.parse(key) as [Physics, string, string];
  return catalogSweepGpus(physics, builtRegistry(hardwareText), namesOf(names));
});

/** The EP analyses' GPUs (the same objects while the inputs stay the same, so per-GPU caches hold). */
const sweepGpusOf = (state: State, physics: Physics) =>
  builtSweepGpus(JSON.stringify([physics, state.hardwareText, state.gpus]));

/**
 * A form field read the way its CLI flag reads it (src/config/flag-values.ts); empty means unset.
 * A value the CLI would reject is an issue on the field, in the CLI's words.
 */
export function flag<T>(state: State, field: Field, parse: (text: string) => T): T | undefined {
  const text = state[field].trim();
  if (text === "") return undefined;
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof FlagValueError) throw bad(field, error.message);
    throw error;
  }
}

const atLeast = (min: number) => (text: string) => intAtLeastValue(text, min);
const positive = (text: string) => positiveNumberValue(text);

/** The step scenario of the form (what `llmsim step --scenario` would read), before the schema check. */
export function stepScenarioRecord(state: State): Record<string, unknown> {
  const record: Record<string, unknown> = { model: state.model.trim(), hardware: state.hardware.trim() };
  for (const field of STEP_FORM_FIELDS) {
    const value = flag<unknown>(state, field, STEP_FIELD_PARSERS[field satisfies StepField]);
    if (value !== undefined) record[field] = value;
  }
  if (state.ignoreMemory === "true") record.ignoreMemory = true;
  return record;
}

/** Scenario B of the compare view: scenario A with B's overrides. */
export function compareBState(state: State): State {
  const overrides: [Field, Field][] = [
    ["bHardware", "hardware"],
    ["bTp", "tp"],
    ["bDp", "dp"],
    ["bEp", "ep"],
    ["bBatch", "batch"],
  ];
  const b = { ...state };
  for (const [from, to] of overrides) {
    if (from !== "bHardware") flag(state, from, atLeast(1));
    if (state[from].trim() !== "") b[to] = state[from].trim();
  }
  if (overrides.every(([from]) => state[from].trim() === ""))
    throw new InputError([
      {
        code: "missing-field",
        path: ["bHardware"],
        message: "give scenario B at least one override (as `llmsim compare` needs one --b KEY=VALUE)",
      },
    ]);
  return b;
}

function runStep(state: State): {
  result: StepResult;
  hardware: ReturnType<typeof stepInputFromRegistry>["hardware"];
} {
  const scenario = checkStepScenario(stepScenarioRecord(state));
  const input = stepInputFromRegistry(scenario, modelOf(state), registryOf(state));
  const predictor = predictorOf(state, input.predictor);
  return {
    result: simulateStep({ ...input, ...(predictor ? { predictor } : {}) }),
    hardware: input.hardware,
  };
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

const physicsOf = (state: State): Physics => {
  if (state.preset !== "llmsim" && state.preset !== "shallowsim")
    throw bad("preset", "unknown preset", ["llmsim", "shallowsim"]);
  return state.preset;
};

const namesOf = (text: string) => (text.trim() === "" ? undefined : nameListValue(text));

/** The decode table's spec: `llmsim decode-sweep` with the same flags. */
export function decodeSpecOf(state: State): DecodeSweepSpec {
  const physics = physicsOf(state);
  const model = modelOf(state);
  const gpus = sweepGpusOf(state, physics);
  const batchSizes = flag(state, "batchSizes", (t) => intListValue(t, 1));
  const tps = flag(state, "tps", (t) => intListValue(t, 1));
  const eps = flag(state, "eps", (t) => intListValue(t, 1));
  const seqLen = flag(state, "seqLen", atLeast(1));
  const decodeLen = flag(state, "decodeLen", atLeast(0));
  const tpsLimit = flag(state, "tpsLimit", (t) => positiveNumberValue(t, true));
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
  const gpus = sweepGpusOf(state, physics);
  const tp = flag(state, "prefillTp", atLeast(1));
  const dp = flag(state, "prefillDp", atLeast(1));
  const seqLen = flag(state, "seqLen", atLeast(1));
  const kvCacheRate = flag(state, "kvCacheRate", fractionValue);
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
    lineBy:
      flag(state, "sweepBy", (t) => oneOfValue(t, ["batch", "ep"] as const)) === "ep"
        ? ("EP" as const)
        : ("BatchSize" as const),
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

/** `llmsim serve`'s options from the form (the same ServeOptions the CLI builds from its flags). */
export function serveOptionsOf(state: State): ServeOptions {
  const int = (field: Field, min = 1) => flag(state, field, atLeast(min));
  const positiveOf = (field: Field) => flag(state, field, positive);
  const disaggregated = flag(state, "serveMode", (t) =>
    oneOfValue(t, ["aggregated", "disaggregated"] as const),
  );
  return {
    hardware: flag(state, "serveHardware", (t) => t),
    tp: int("serveTp"),
    dp: int("serveDp"),
    ep: int("serveEp"),
    weightDtype: flag(state, "serveWeightDtype", dtypeValue),
    kvDtype: flag(state, "serveKvDtype", dtypeValue),
    allReduce: flag(state, "serveAllReduce", (t) => oneOfValue(t, ALL_REDUCE_IMPLEMENTATIONS)),
    ...(disaggregated === "disaggregated"
      ? {
          prefillReplicas: int("prefillReplicas"),
          decodeReplicas: int("decodeReplicas"),
          prefillHardware: flag(state, "prefillHardware", (t) => t),
          decodeHardware: flag(state, "decodeHardware", (t) => t),
          prefillTp: int("prefillTpServe"),
          decodeTp: int("decodeTpServe"),
        }
      : { replicas: int("replicas") }),
    // A burst queues every request at time 0: the form's rate does not apply.
    rate: state.arrival === "burst" ? undefined : positiveOf("rate"),
    requests: int("requests"),
    arrival: flag(state, "arrival", (t) => oneOfValue(t, ARRIVAL_KINDS)),
    promptTokens: flag(state, "promptTokens", (t) => lengthValue(t, "prompt")),
    outputTokens: flag(state, "outputTokens", (t) => lengthValue(t, "output")),
    scheduler: flag(state, "scheduler", (t) => oneOfValue(t, SCHEDULER_KINDS)),
    hostOverheadMs: flag(state, "hostOverheadMs", (t) => positiveNumberValue(t, true)),
    sloTtftMs: positiveOf("sloTtftMs"),
    sloTpotMs: positiveOf("sloTpotMs"),
    seed: int("seed", 0),
  };
}

function serveView(state: State) {
  const options = serveOptionsOf(state);
  const model = modelOf(state, "serveModel");
  const registry = registryOf(state);
  const predictor = predictorOf(state);
  const setup = serveSetup(options, model, registry, () => serveRequests(options), {
    ...(predictor ? { predictor } : {}),
  });
  const result = simulateServing(setup.config);
  const summary = summarizeServing(result, setup.slo);
  const cdf = latencyCdfPoints(result, setup.scheduler.kind);
  const [head = [], ...rows] = csvParseRows(requestMetricsCsv(result).trim());
  return {
    json: serveJson(setup, summary),
    label: setup.label,
    charts: {
      cdf: latencyCdfSpec(cdf, setup.label),
      throughput: throughputChartSpec(throughputOverTime(result)),
      timeline: requestTimelineSpec(requestSpans(result, 300)),
    },
    // Per request as `llmsim serve --metrics-csv` writes it (ns).
    requests: { head, rows: rows.map((row) => row.map(Number)) } satisfies Table,
  };
}

/** A length as `llmsim plan --isl/--osl` reads it: checked, kept as text. */
const lengthText = (which: "prompt" | "output") => (text: string) => {
  lengthValue(text, which);
  return text;
};

/** The plan scenario of the form (what `llmsim plan --scenario` would read), before the schema check. */
export function planScenarioRecord(state: State): Record<string, unknown> {
  const fields: readonly (readonly [string, Field, (text: string) => unknown])[] = [
    ["hardware", "planHardware", nameListValue],
    ["gpus", "planGpus", gpuBudgetValue],
    ["rate", "planRate", positive],
    ["ttftMs", "ttftMs", positive],
    ["tpotMs", "tpotMs", positive],
    // `llmsim plan` checks a length and keeps its text.
    ["isl", "isl", lengthText("prompt")],
    ["osl", "osl", lengthText("output")],
  ];
  const record: Record<string, unknown> = { model: state.planModel.trim() };
  for (const [key, field, parse] of fields) {
    const value = flag(state, field, parse);
    if (value !== undefined) record[key] = value;
  }
  return record;
}

function planView(state: State) {
  const record = planScenarioRecord(state);
  const checked = planScenarioSchema.safeParse(record);
  if (!checked.success) throw new InputError(mergedScenarioIssues(checked.error, undefined, record));
  const spec = planSpecFromParts(checked.data, {
    model: modelOf(state, "planModel"),
    registry: registryOf(state),
  });
  const result = runPlan(spec);
  const title = `${spec.model.id}: ${spec.hardware.map((h) => h.name).join(", ")}, ${spec.budget.gpus} GPUs`;
  const fronts = csvParseRows(planCsv(result).trim());
  const [head = [], ...rows] = fronts;
  return {
    report: renderPlanReport(spec, result),
    json: planJson(spec, result),
    recommended: result.recommended,
    noneMeets: result.noneMeets,
    chart: result.recommended
      ? paretoChartSpec(result.summary.groups, result.recommended.candidate, spec.slo.tpotMs, title)
      : null,
    fronts: {
      head,
      rows: rows.map((row) =>
        row.map((cell) => (cell !== "" && Number.isFinite(Number(cell)) ? Number(cell) : cell)),
      ),
    } satisfies Table,
  };
}

const VIEW_COMPUTE: Partial<Record<View | "catalog", (state: State) => unknown>> = {
  serve: serveView,
  plan: planView,
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
