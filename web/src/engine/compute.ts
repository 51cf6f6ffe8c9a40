/**
 * The explorer's engine side: turns the form's state into the library's inputs with the same
 * builders the CLI uses, runs the engine and returns plain data (rows, tables, Vega-Lite specs).
 * Pure: no DOM, no Node APIs, so the worker and the Node benchmark run the same code.
 */

import { csvParseRows } from "d3-dsv";
import { planCsv, planJson, renderPlanReport } from "../../../src/cli/plan-view.ts";
import { stepCsvRows } from "../../../src/cli/step-view.ts";
import { decodeSweepSpecOf, prefillSpecOf } from "../../../src/config/analysis-request.ts";
import { addHardwareText } from "../../../src/config/hardware-text.ts";
import { mergedScenarioIssues } from "../../../src/config/load.ts";
import { modelFromConfigText } from "../../../src/config/model-text.ts";
import { planSpecFromParts } from "../../../src/config/plan-request.ts";
import { planScenarioSchema } from "../../../src/config/schema/plan.ts";
import {
  ARRIVAL_KINDS,
  type ServeOptions,
  serveJson,
  serveRequests,
  serveSetup,
} from "../../../src/config/serve-request.ts";
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
import { runPlan } from "../../../src/core/plan/run.ts";
import { compareChartSpec } from "../../../src/core/report/compare-chart.ts";
import { latencyCdfPoints, latencyCdfSpec } from "../../../src/core/report/latency-cdf.ts";
import { paretoChartSpec } from "../../../src/core/report/pareto-chart.ts";
import { requestSpans, requestTimelineSpec } from "../../../src/core/report/request-timeline.ts";
import { memorySpec, rooflineSpec, stepBreakdownSpec } from "../../../src/core/report/step-charts.ts";
import { sweepChartPoints, sweepChartSpec } from "../../../src/core/report/sweep-chart.ts";
import { throughputChartSpec, throughputOverTime } from "../../../src/core/report/throughput-chart.ts";
import { parseLengthDistribution } from "../../../src/core/sim/requests.ts";
import { simulateServing } from "../../../src/core/sim/serve/engine.ts";
import { summarizeServing } from "../../../src/core/sim/serve/metrics.ts";
import { SCHEDULER_KINDS } from "../../../src/core/sim/serve/types.ts";
import type { StepResult } from "../../../src/core/step/result.ts";
import { simulateStep } from "../../../src/core/step/simulate.ts";
import { CUSTOM_MODEL, type State, type View } from "../state.ts";
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

const builtSweepGpus = memo((key: string) => {
  const [physics, hardwareText, names] = JSON.parse(key) as [Physics, string, string];
  return catalogSweepGpus(physics, builtRegistry(hardwareText), namesOf(names));
});

/** The EP analyses' GPUs (the same objects while the inputs stay the same, so per-GPU caches hold). */
const sweepGpusOf = (state: State, physics: Physics) =>
  builtSweepGpus(JSON.stringify([physics, state.hardwareText, state.gpus]));

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
  const gpus = sweepGpusOf(state, physics);
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
  const gpus = sweepGpusOf(state, physics);
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

/** `llmsim serve`'s options from the form (the same ServeOptions the CLI builds from its flags). */
export function serveOptionsOf(state: State): ServeOptions {
  const length = (text: string, field: "promptTokens" | "outputTokens", which: "prompt" | "output") => {
    if (text.trim() === "") return undefined;
    const parsed = parseLengthDistribution(text, which);
    if (!parsed) throw bad(field, "expected a token count, lmsys, or lognormal:MEDIAN:SIGMA[:MIN:MAX]");
    return parsed;
  };
  const int = (text: string, field: string, min = 1) => {
    const value = numberOf(text, field, min);
    if (value !== undefined && !Number.isInteger(value)) throw bad(field, `must be an integer >= ${min}`);
    return value;
  };
  const scheduler = state.scheduler === "" ? undefined : state.scheduler;
  if (scheduler !== undefined && !(SCHEDULER_KINDS as readonly string[]).includes(scheduler))
    throw bad("scheduler", "unknown scheduler", SCHEDULER_KINDS);
  const arrival = state.arrival === "" ? undefined : state.arrival;
  if (arrival !== undefined && !(ARRIVAL_KINDS as readonly string[]).includes(arrival))
    throw bad("arrival", "unknown arrival process", ARRIVAL_KINDS);
  return {
    hardware: state.serveHardware,
    tp: int(state.serveTp, "serveTp"),
    ...(state.serveMode === "disaggregated"
      ? {
          prefillReplicas: int(state.prefillReplicas, "prefillReplicas"),
          decodeReplicas: int(state.decodeReplicas, "decodeReplicas"),
          ...(state.prefillHardware !== "" ? { prefillHardware: state.prefillHardware } : {}),
          ...(state.decodeHardware !== "" ? { decodeHardware: state.decodeHardware } : {}),
          prefillTp: int(state.prefillTpServe, "prefillTpServe"),
          decodeTp: int(state.decodeTpServe, "decodeTpServe"),
        }
      : { replicas: int(state.replicas, "replicas") }),
    rate: numberOf(state.rate, "rate", Number.MIN_VALUE),
    requests: int(state.requests, "requests"),
    arrival: arrival as ServeOptions["arrival"],
    promptTokens: length(state.promptTokens, "promptTokens", "prompt"),
    outputTokens: length(state.outputTokens, "outputTokens", "output"),
    scheduler: scheduler as ServeOptions["scheduler"],
    sloTtftMs: numberOf(state.sloTtftMs, "sloTtftMs", Number.MIN_VALUE),
    sloTpotMs: numberOf(state.sloTpotMs, "sloTpotMs", Number.MIN_VALUE),
    seed: int(state.seed, "seed", 0),
  };
}

function serveView(state: State) {
  const options = serveOptionsOf(state);
  const model = modelOf(state, "serveModel");
  const registry = registryOf(state);
  const setup = serveSetup(options, model, registry, () => serveRequests(options));
  const result = simulateServing(setup.config);
  const summary = summarizeServing(result, setup.slo);
  const cdf = latencyCdfPoints(result, setup.scheduler.kind).filter((p) => p.metric !== "End-to-end");
  return {
    json: serveJson(setup, summary),
    label: setup.label,
    charts: {
      cdf: latencyCdfSpec(cdf, setup.label),
      throughput: throughputChartSpec(throughputOverTime(result)),
      timeline: requestTimelineSpec(requestSpans(result, 300)),
    },
    requests: {
      head: [
        "request",
        "arrivalMs",
        "promptTokens",
        "outputTokens",
        "ttftMs",
        "tpotMs",
        "e2eMs",
        "preemptions",
      ],
      rows: Array.from(result.arrivalSec, (arrival, r) => {
        const out = result.outputTokens[r] as number;
        const first = result.firstTokenSec[r] as number;
        const done = result.completionSec[r] as number;
        return [
          r,
          arrival * 1000,
          result.promptTokens[r] as number,
          out,
          (first - arrival) * 1000,
          out > 1 ? ((done - first) * 1000) / (out - 1) : Number.NaN,
          (done - arrival) * 1000,
          result.preemptions[r] as number,
        ];
      }),
    } satisfies Table,
  };
}

const listOfNames = (text: string) => namesOf(text) ?? [];

/** The plan scenario of the form (what `llmsim plan --scenario` would read), before the schema check. */
export function planScenarioRecord(state: State): Record<string, unknown> {
  const record: Record<string, unknown> = {
    model: state.planModel,
    hardware: listOfNames(state.planHardware),
    gpus: Number(state.planGpus),
  };
  const numbers = [
    ["rate", state.planRate],
    ["ttftMs", state.ttftMs],
    ["tpotMs", state.tpotMs],
  ] as const;
  for (const [key, text] of numbers) if (text.trim() !== "") record[key] = Number(text);
  if (state.isl.trim() !== "") record.isl = state.isl.trim();
  if (state.osl.trim() !== "") record.osl = state.osl.trim();
  return record;
}

function planView(state: State) {
  const checked = planScenarioSchema.safeParse(planScenarioRecord(state));
  if (!checked.success) throw new InputError(mergedScenarioIssues(checked.error));
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
