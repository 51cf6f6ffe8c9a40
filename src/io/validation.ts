import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { loadWithSchema } from "../config/load.ts";
import {
  type OpCaseScenario,
  type ServeScenario,
  type ValidationCase,
  type ValidationSuite,
  validationSuiteSchema,
} from "../config/schema/validation.ts";
import { flagsAsFields, type ServeOptions, serveRequests, serveSetup } from "../config/serve-request.ts";
import { stepInputFromScenario } from "../config/step-request.ts";
import { deepEpBytesPerChannel } from "../core/collectives/deepep.ts";
import { BYTES_PER_ELEMENT, type Dtype } from "../core/dtype.ts";
import type { HardwareRegistry } from "../core/hardware/catalog.ts";
import { hardwareSpecOf } from "../core/hardware/resolve.ts";
import type { AcceleratorRecord } from "../core/hardware/types.ts";
import { InputError, type Issue } from "../core/issues.ts";
import { gemm } from "../core/ops/gemm.ts";
import type { Op } from "../core/ops/types.ts";
import { familyVariant } from "../core/predictor/features.ts";
import { rooflinePredictor } from "../core/predictor/roofline.ts";
import type { Predictor } from "../core/predictor/types.ts";
import type { HostOverheadTable } from "../core/sim/host-overhead.ts";
import { type LengthDistribution, parseLengthDistribution, type RequestSet } from "../core/sim/requests.ts";
import { simulateServing } from "../core/sim/serve/engine.ts";
import { type ServeSummary, summarizeServing } from "../core/sim/serve/metrics.ts";
import type { SchedulerKind, ServeResult } from "../core/sim/serve/types.ts";
import type { OpRecord } from "../core/step/result.ts";
import { simulateStep } from "../core/step/simulate.ts";
import { deepEpCountedBytes } from "../core/validation/deepep.ts";
import {
  canonicalUnit,
  resolveMetric,
  servingLatencyOf,
  unitFactor,
  VALIDATION_METRICS,
} from "../core/validation/metrics.ts";
import { readText } from "./files.ts";
import { loadModel } from "./model.ts";

/** A suite file with the cases it holds. */
export interface LoadedSuite {
  readonly file: string;
  readonly suite: ValidationSuite;
}

/**
 * A JSONL suite: one case per line (the same fields as a YAML case), the suite named after the
 * file, held out from calibration unless a case says `"calibration": "used"`. Errors name the line.
 */
function parseJsonlSuite(
  file: string,
): { ok: true; value: ValidationSuite } | { ok: false; issues: Issue[] } {
  const issues: Issue[] = [];
  const cases: unknown[] = [];
  readText(file, "suite")
    .split("\n")
    .forEach((text, index) => {
      if (text.trim() === "") return;
      try {
        cases.push(JSON.parse(text));
      } catch (error) {
        issues.push({
          code: "invalid-json",
          path: [],
          file,
          line: index + 1,
          message: `not valid JSON: ${(error as Error).message}`,
        });
      }
    });
  if (issues.length > 0) return { ok: false, issues };
  const suite = { suite: basename(file, ".jsonl"), calibration: "held-out", cases };
  const checked = validationSuiteSchema.safeParse(suite);
  if (checked.success) return { ok: true, value: checked.data };
  const lineOf = (caseIndex: unknown) => {
    let seen = -1;
    const lines = readText(file, "suite").split("\n");
    for (let i = 0; i < lines.length; i++)
      if ((lines[i] as string).trim() !== "" && ++seen === caseIndex) return i + 1;
    return undefined;
  };
  return {
    ok: false,
    issues: checked.error.issues.map((issue) => {
      const line = issue.path[0] === "cases" ? lineOf(issue.path[1]) : undefined;
      return {
        code: issue.code,
        path: issue.path.map((k) => (typeof k === "symbol" ? String(k) : k)),
        file,
        ...(line !== undefined ? { line } : {}),
        message: issue.message,
      };
    }),
  };
}

/** Every *.yaml/*.yml/*.json/*.jsonl suite under the given files or directories, sorted. */
export function suiteFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      readText(path, "suite"); // names the missing file
    }
    if (isDirectory)
      for (const name of readdirSync(path).sort())
        if (/\.(ya?ml|jsonl?)$/.test(name)) out.push(join(path, name));
    if (!isDirectory) out.push(path);
  }
  return out;
}

/** Loads and checks suites: schema, units of every case, unique ids. */
export function loadSuites(files: readonly string[]): LoadedSuite[] {
  const issues: Issue[] = [];
  const suites: LoadedSuite[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const parsed = file.endsWith(".jsonl")
      ? parseJsonlSuite(file)
      : loadWithSchema(readText(file, "suite"), file, validationSuiteSchema);
    if (!parsed.ok) {
      issues.push(...parsed.issues);
      continue;
    }
    const cases = parsed.value.cases.map((c, index) => {
      // An alias (kernel_us, ttft_ms_p50) becomes its metric; the unit it names must be the case's.
      const resolved = resolveMetric(c.metric, c.unit);
      if (resolved.unitConflict !== null)
        issues.push({
          code: "invalid-value",
          path: ["cases", index, "unit"],
          file,
          message: `metric ${c.metric} is in ${resolved.unitConflict}, but the case's unit is "${c.unit}"`,
          allowed: [resolved.unitConflict],
        });
      return { ...c, metric: resolved.metric ?? c.metric };
    });
    cases.forEach((c, index) => {
      const unit = unitFactor(c.metric, c.unit);
      if (!unit.ok)
        issues.push({
          code: "invalid-value",
          path: ["cases", index, "unit"],
          file,
          message: `unit "${c.unit}" is not a unit of ${c.metric}`,
          allowed: unit.allowed,
        });
      const previous = seen.get(c.id);
      if (previous)
        issues.push({
          code: "duplicate",
          path: ["cases", index, "id"],
          file,
          message: `id "${c.id}" is also in ${previous}`,
        });
      seen.set(c.id, file);
    });
    suites.push({ file, suite: { ...parsed.value, cases } });
  }
  if (issues.length > 0) throw new InputError(issues);
  return suites;
}

/** One case predicted: measured and predicted in the metric's canonical unit. */
export interface CaseOutcome {
  readonly suite: string;
  readonly calibration: ValidationSuite["calibration"];
  readonly id: string;
  readonly level: ValidationCase["level"];
  readonly group: string;
  readonly metric: string;
  readonly unit: string;
  readonly measured: number;
  /** null when the simulator cannot express the case (then `reason` says why). */
  readonly predicted: number | null;
  /** predicted / measured - 1, %. */
  readonly errorPct: number | null;
  readonly reason: string | null;
  readonly predictor: string;
  readonly source: string;
}

export interface ValidationContext {
  readonly registry: HardwareRegistry;
  readonly predictor: Predictor | undefined;
}

function accelerator(registry: HardwareRegistry, name: string): AcceleratorRecord {
  const resolved = registry.resolve(name);
  if (!resolved.ok) throw new InputError(resolved.issues);
  return resolved.record;
}

/** A mistake in a case (a metric its scenario cannot give, an op the step does not have): bad input. */
function caseError(path: readonly string[], message: string, allowed?: readonly string[]): InputError {
  return new InputError([
    { code: "invalid-value", path: [...path], message, ...(allowed ? { allowed } : {}) },
  ]);
}

/** What a kernel metric reads of an op (an OpRecord has all of it). */
type OpFigures = Pick<OpRecord, "name" | "kind" | "ms" | "flops" | "bytesRead" | "bytesWritten">;

/**
 * A kernel figure of one op: its time, FLOP rate, HBM bandwidth, or (busbw) the bytes DeepEP's
 * tests count for it over its time; `deepEpBytes` is null when the op is not a MoE all-to-all.
 */
function opMetric(metric: string, op: OpFigures, deepEpBytes: number | null): number {
  const sec = op.ms / 1e3;
  switch (metric) {
    case "kernel_time":
      return op.ms;
    case "tflops":
      return op.flops / sec / 1e12;
    case "hbm_bandwidth":
      return (op.bytesRead + op.bytesWritten) / sec / 1e9;
    case "busbw":
      if (deepEpBytes === null)
        throw caseError(
          ["metric"],
          `busbw is defined for the MoE dispatch and combine ops; ${op.name} is not one`,
        );
      return deepEpBytes / sec / 1e9;
    default:
      throw caseError(["metric"], `${metric} is not a kernel metric`, [
        "kernel_time",
        "tflops",
        "hbm_bandwidth",
        "busbw",
      ]);
  }
}

/** The GEMM an op case measures. */
function caseGemm(o: OpCaseScenario): Op {
  return gemm({
    name: o.name ?? "gemm",
    m: o.m,
    n: o.n,
    k: o.k,
    batch: o.batch,
    weightDtype: o.weightDtype ?? o.dtype,
    activationDtype: o.activationDtype ?? "bf16",
    computeDtype: o.dtype,
    weightBlockSize:
      o.weightBlockSize === undefined || o.weightBlockSize === "none" ? null : o.weightBlockSize,
    formula: "validation case",
  });
}

function predictValue(c: ValidationCase, context: ValidationContext): { value: number; predictor: string } {
  const scenario = c.scenario;
  if ("op" in scenario) {
    const o = scenario.op;
    const hardware = hardwareSpecOf(accelerator(context.registry, o.hardware));
    const op = caseGemm(o);
    const predictor = context.predictor ?? rooflinePredictor();
    const timing = predictor.predict(op, hardware);
    return {
      value: opMetric(c.metric, { ...op, ms: timing.ms }, null),
      predictor: predictor.name,
    };
  }
  if ("step" in scenario) {
    const record = accelerator(context.registry, scenario.step.hardware);
    const model = loadModel(scenario.step.model);
    const input = stepInputFromScenario(scenario.step, model, record);
    const result = simulateStep({
      ...input,
      ...(context.predictor ? { predictor: context.predictor } : {}),
      ignoreMemory: true,
      detail: "kinds",
    });
    const totals = result.totals;
    if (!totals) throw new Error("the step produced no totals");
    if (scenario.read) {
      const read = scenario.read;
      const names = typeof read.op === "string" ? [read.op] : read.op;
      const layer = result.layers.find(
        (l) =>
          (read.layer === undefined || l.kind === read.layer) &&
          names.every((name) => l.ops.some((op) => op.name === name)),
      );
      const ops = names.map((name) => layer?.ops.find((o) => o.name === name));
      if (!layer || ops.some((op) => op === undefined))
        throw caseError(
          ["read", "op"],
          `no layer with op${names.length > 1 ? "s" : ""} ${names.join(", ")} in the step${read.layer ? ` (${read.layer} layers)` : ""}`,
          [...new Set(result.layers.flatMap((l) => l.ops.map((op) => op.name)))],
        );
      const found = ops as OpRecord[];
      const figures: OpFigures =
        found.length === 1
          ? (found[0] as OpRecord)
          : {
              name: names.join("+"),
              kind: (found[0] as OpRecord).kind,
              ms: found.reduce((sum, op) => sum + op.ms, 0),
              flops: found.reduce((sum, op) => sum + op.flops, 0),
              bytesRead: found.reduce((sum, op) => sum + op.bytesRead, 0),
              bytesWritten: found.reduce((sum, op) => sum + op.bytesWritten, 0),
            };
      const a2a = names.length === 1 && (names[0] === "moe_dispatch" || names[0] === "moe_combine");
      const deepEpBytes =
        a2a && model.moe
          ? deepEpCountedBytes({
              tokens: totals.tokensPerStep / result.parallel.gpus,
              hidden: model.hiddenSize,
              topK: model.moe.topK,
              experts: model.moe.numExperts,
              ranks: result.parallel.ep,
              ranksPerNode: input.hardware.scaleUp.domainGpus,
              bytesPerChannel: deepEpBytesPerChannel(
                BYTES_PER_ELEMENT[
                  names[0] === "moe_dispatch" ? result.dtypes.dispatch : result.dtypes.combine
                ],
              ),
            })
          : null;
      return { value: opMetric(c.metric, figures, deepEpBytes), predictor: result.predictor };
    }
    const gpusPerNode = scenario.gpusPerNode ?? input.hardware.scaleUp.domainGpus;
    switch (c.metric) {
      case "step_latency":
        return { value: totals.latencyMs, predictor: result.predictor };
      case "tokens_per_s_per_gpu":
        return { value: totals.tokensPerSecPerGpu, predictor: result.predictor };
      case "tokens_per_s_per_node":
        return { value: totals.tokensPerSecPerGpu * gpusPerNode, predictor: result.predictor };
      default:
        throw caseError(["metric"], `${c.metric} needs a serving scenario or a read op`, [
          "step_latency",
          "tokens_per_s_per_gpu",
          "tokens_per_s_per_node",
        ]);
    }
  }
  return servingMetric(c.metric, scenario.serve, context);
}

/** What a serving case compares, from the run's summary. */
function servingMetric(
  metric: string,
  s: ServeScenario,
  context: ValidationContext,
): { value: number; predictor: string } {
  const latency = servingLatencyOf(metric);
  // A metric no serving run gives is reported before the run, not after it.
  if (!latency && !SERVING_METRICS.includes(metric))
    throw caseError(["metric"], `${metric} is not a serving metric`, SERVING_METRICS);
  const read = (summary: ServeSummary): number => {
    if (latency) {
      const stats = summary[latency.latency];
      return latency.statistic === "mean" ? stats.meanMs : stats[`${latency.statistic}Ms`];
    }
    switch (metric) {
      case "output_tokens_per_s_total":
        return summary.outputTokensPerSec;
      case "output_tokens_per_s_per_gpu":
        return summary.outputTokensPerSecPerGpu;
      case "requests_per_s":
        return summary.requestsPerSec;
      default:
        throw caseError(["metric"], `${metric} is not a serving metric`, SERVING_METRICS);
    }
  };
  const { model: modelName, requests: count, promptTokens, outputTokens, rate, ...deployment } = s;
  const options: ServeOptions = {
    ...deployment,
    requests: count,
    promptTokens: lengthOf(promptTokens, "prompt"),
    outputTokens: lengthOf(outputTokens, "output"),
    ...(rate !== undefined ? { rate } : {}),
  };
  // Without a rate, every request is queued at time 0 (maximum load), as llmsim serve --arrival burst.
  const requests = serveRequests(rate === undefined ? { ...options, arrival: "burst" } : options);
  const setup = asCaseFields(() =>
    serveSetup(options, loadModel(modelName), context.registry, requests, { predictor: context.predictor }),
  );
  const summary = summarizeServing(simulateServing(setup.config));
  return { value: read(summary), predictor: context.predictor?.name ?? "roofline" };
}

const SERVING_METRICS = [
  "output_tokens_per_s_total",
  "output_tokens_per_s_per_gpu",
  "requests_per_s",
  ...Object.keys(VALIDATION_METRICS).filter((m) => servingLatencyOf(m) !== null),
];

/** Runs `build`, naming the serve scenario's fields in its input errors where serveSetup names flags. */
function asCaseFields<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(
      flagsAsFields(error.issues).map((issue) => ({ ...issue, path: ["serve", ...issue.path] })),
    );
  }
}

function lengthOf(value: number | string, which: "prompt" | "output"): LengthDistribution {
  const parsed = parseLengthDistribution(String(value), which);
  if (!parsed) throw caseError([`${which}Tokens`], `not a ${which} length: ${value}`);
  return parsed;
}

/** The deployment a replayed run describes (llmsim serve's aggregated mode, its option names). */
export interface ServeDeployment {
  readonly model: string;
  readonly hardware: string;
  readonly tp?: number | undefined;
  readonly replicas?: number | undefined;
  readonly scheduler?: SchedulerKind | undefined;
  readonly weightDtype?: Dtype | undefined;
  readonly kvDtype?: Dtype | undefined;
  readonly activationDtype?: Dtype | undefined;
  readonly memoryUtilization?: number | undefined;
  readonly maxSeqs?: number | undefined;
  readonly maxBatchedTokens?: number | undefined;
  readonly hostOverheadMs?: number | undefined;
}

/**
 * Runs the serving simulator for a deployment on the given requests, as llmsim serve would (with
 * a measured host-overhead table when given).
 */
export function simulateRun(
  d: ServeDeployment,
  context: ValidationContext,
  requests: RequestSet,
  hostOverheadTable?: HostOverheadTable,
): ServeResult {
  const { model, ...options } = d;
  const setup = serveSetup(options, loadModel(model), context.registry, requests, {
    predictor: context.predictor,
    hostOverheadTable,
  });
  return simulateServing(setup.config);
}

/** Predicts every case; a case the engine cannot express is kept, with its reason. */
export function runSuites(suites: readonly LoadedSuite[], context: ValidationContext): CaseOutcome[] {
  const out: CaseOutcome[] = [];
  for (const { file, suite } of suites) {
    for (const [index, c] of suite.cases.entries()) {
      const factor = unitFactor(c.metric, c.unit);
      const measured = factor.ok ? c.value * factor.factor : Number.NaN;
      let predicted: number | null = null;
      let reason: string | null = null;
      let predictorName = context.predictor?.name ?? "roofline";
      try {
        const p = predictValue(c, context);
        predicted = p.value;
        predictorName = p.predictor;
        if (!Number.isFinite(predicted)) {
          reason = `the prediction is not finite (${predicted})`;
          predicted = null;
        }
      } catch (error) {
        // Bad input in a case (an unknown model or accelerator) names the suite file and the case.
        if (error instanceof InputError)
          throw new InputError(
            error.issues.map((issue) => ({
              ...issue,
              file: issue.file ?? file,
              path: ["cases", index, ...(issue.path[0] === "metric" ? [] : ["scenario"]), ...issue.path],
            })),
          );
        if (!(error instanceof Error)) throw error;
        reason = error.message;
      }
      out.push({
        suite: suite.suite,
        calibration: c.calibration ?? suite.calibration,
        id: c.id,
        level: c.level,
        group: c.group ?? suite.suite,
        metric: c.metric,
        unit: canonicalUnit(c.metric),
        measured,
        predicted,
        errorPct: predicted === null ? null : (predicted / measured - 1) * 100,
        reason,
        predictor: predictorName,
        source: c.source.commit ? `${c.source.document} @${c.source.commit}` : c.source.document,
      });
    }
  }
  return out;
}

/**
 * "hardware|op|dtype|variant|[batch*]m x n x k|payload/group/domains" of a GEMM or a collective, to match
 * validation cases with measurements.
 */
export function opShapeKey(
  hardware: string,
  op: Pick<Op, "name" | "computeDtype" | "shape">,
  familyVariant: string,
  comm: CollectiveShape | null = null,
): string {
  const shape = op.shape;
  const size = comm ? `${comm.bytes}B/${comm.group}/${comm.domains}` : "";
  const gemm = shape
    ? `${shape.batch === undefined ? "" : `${shape.batch}*`}${shape.m}x${shape.n}x${shape.k}`
    : "";
  return `${hardware}|${op.name}|${op.computeDtype}|${familyVariant}|${gemm}|${size}`;
}

/** What tells one collective's measurements apart in opShapeKey: payload per GPU, group, domains. */
export interface CollectiveShape {
  readonly bytes: number;
  readonly group: number;
  readonly domains: number;
}

/** The CollectiveShape of a measured op (null when it is not a collective). */
export function collectiveShapeOf(op: Op): CollectiveShape | null {
  const comm = op.comm;
  return comm ? { bytes: comm.bytes, group: comm.span.size, domains: comm.span.domains } : null;
}

/**
 * The kernel shapes (GEMMs, collectives) the suites' kernel cases measure (catalog hardware names), for calibrate
 * --exclude: op cases, and the ops a step case reads (e.g. a fused MoE as experts_up + experts_down).
 */
export function heldOutShapes(suites: readonly LoadedSuite[], registry: HardwareRegistry): Set<string> {
  const keys = new Set<string>();
  for (const { suite } of suites)
    for (const c of suite.cases) {
      if ("step" in c.scenario && c.scenario.read) {
        const step = c.scenario.step;
        const read = c.scenario.read;
        const record = accelerator(registry, step.hardware);
        const model = loadModel(step.model);
        const result = simulateStep({
          ...stepInputFromScenario(step, model, record),
          ignoreMemory: true,
          detail: "kinds",
        });
        const names = new Set(typeof read.op === "string" ? [read.op] : read.op);
        for (const layer of result.layers)
          if (read.layer === undefined || layer.kind === read.layer)
            for (const op of layer.ops)
              if (names.has(op.name))
                keys.add(
                  opShapeKey(
                    record.name,
                    op,
                    op.familyVariant,
                    op.collective
                      ? { bytes: op.commBytes, group: op.groupSize, domains: op.commDomains }
                      : null,
                  ),
                );
        continue;
      }
      if (!("op" in c.scenario)) continue;
      const op = caseGemm(c.scenario.op);
      const hardware = registry.get(c.scenario.op.hardware)?.name ?? c.scenario.op.hardware;
      keys.add(opShapeKey(hardware, op, familyVariant(op)));
    }
  return keys;
}
