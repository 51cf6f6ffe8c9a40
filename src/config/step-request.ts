import { z } from "zod";
import type { HardwareRegistry } from "../core/hardware/catalog.ts";
import { hardwareSpecOf } from "../core/hardware/resolve.ts";
import type { AcceleratorRecord } from "../core/hardware/types.ts";
import { InputError, type Issue } from "../core/issues.ts";
import type { ModelSpec } from "../core/model/types.ts";
import type { ParallelPlan } from "../core/parallel/plan.ts";
import { DEFAULT_ROOFLINE_PARAMS, rooflinePredictor } from "../core/predictor/roofline.ts";
import type { Predictor } from "../core/predictor/types.ts";
import type { StepDtypes } from "../core/step/dtypes.ts";
import type { StepInput } from "../core/step/simulate.ts";
import type { StepWorkload } from "../core/step/workload.ts";
import { mergedScenarioIssues } from "./load.ts";
import { efficiencySchema, type StepScenario, stepScenarioSchema } from "./schema/scenario.ts";

function workloadOf(scenario: StepScenario, issues: Issue[]): StepWorkload {
  const phase = scenario.phase ?? "decode";
  const batch = scenario.batch ?? 1;
  const prefill = () => {
    if (scenario.seq === undefined) {
      issues.push({
        code: "missing-field",
        path: ["seq"],
        message: `${phase} needs the prompt length (--seq)`,
      });
      return null;
    }
    return {
      sequences: phase === "mixed" ? (scenario.prefillBatch ?? 1) : batch,
      newTokens: scenario.seq,
      cachedTokens: scenario.cached ?? 0,
    };
  };
  const decode = () => {
    const contextTokens = scenario.context ?? (phase === "decode" ? scenario.seq : undefined);
    if (contextTokens === undefined) {
      issues.push({
        code: "missing-field",
        path: ["context"],
        message: `${phase} needs the KV length each token attends to (--context${phase === "decode" ? " or --seq" : ""})`,
      });
      return null;
    }
    return { sequences: batch, contextTokens };
  };
  switch (phase) {
    case "prefill":
      return { prefill: prefill(), decode: null };
    case "decode":
      return { prefill: null, decode: decode() };
    case "mixed":
      return { prefill: prefill(), decode: decode() };
  }
}

function parallelOf(scenario: StepScenario, issues: Issue[]): Partial<ParallelPlan> {
  const tp = scenario.tp ?? 1;
  const pp = scenario.pp ?? 1;
  let dp = scenario.dp;
  if (scenario.gpus !== undefined) {
    if (dp === undefined) {
      if (scenario.gpus % (tp * pp) !== 0) {
        issues.push({
          code: "invalid-value",
          path: ["gpus"],
          message: `${scenario.gpus} GPUs is not a multiple of tp x pp = ${tp * pp}`,
        });
      } else dp = scenario.gpus / (tp * pp);
    } else if (scenario.gpus !== tp * pp * dp) {
      issues.push({
        code: "invalid-value",
        path: ["gpus"],
        message: `${scenario.gpus} GPUs differs from tp x pp x dp = ${tp * pp * dp}`,
      });
    }
  }
  return {
    tp,
    pp,
    dp: dp ?? 1,
    ep: scenario.ep ?? 1,
    redundantExperts: scenario.redundantExperts ?? 0,
    expertImbalance: scenario.expertImbalance ?? 1,
  };
}

/** The accelerator with the scenario's bandwidth and domain overrides applied. */
export function withHardwareOverrides(record: AcceleratorRecord, scenario: StepScenario): AcceleratorRecord {
  const { scaleUpGBps, scaleOutGBps, hbmGBps, domainGpus } = scenario;
  return {
    ...record,
    ...(hbmGBps !== undefined ? { hbmBandwidthGBps: hbmGBps } : {}),
    scaleUp: {
      ...record.scaleUp,
      ...(scaleUpGBps !== undefined ? { bandwidthGBps: scaleUpGBps } : {}),
      ...(domainGpus !== undefined ? { domainGpus } : {}),
    },
    scaleOut: { ...record.scaleOut, ...(scaleOutGBps !== undefined ? { bandwidthGBps: scaleOutGBps } : {}) },
  };
}

/**
 * Turns a step scenario (CLI flags or a scenario file, already schema-checked) into engine input.
 * Throws InputError listing every inconsistency.
 */
export function stepInputFromScenario(
  scenario: StepScenario,
  model: ModelSpec,
  hardware: AcceleratorRecord,
): StepInput {
  const issues: Issue[] = [];
  const workload = workloadOf(scenario, issues);
  const parallel = parallelOf(scenario, issues);
  if (issues.length > 0) throw new InputError(issues);
  const dtypes: Partial<StepDtypes> = {
    ...(scenario.weightDtype ? { weight: scenario.weightDtype } : {}),
    ...(scenario.kvDtype ? { kvCache: scenario.kvDtype } : {}),
    ...(scenario.activationDtype ? { activation: scenario.activationDtype } : {}),
    ...(scenario.weightBlockSize !== undefined
      ? { weightBlockSize: scenario.weightBlockSize === "none" ? null : scenario.weightBlockSize }
      : {}),
  };
  const efficiency = Object.fromEntries(
    Object.entries(scenario.efficiency ?? {}).filter(([, v]) => v !== undefined),
  );
  return {
    model,
    hardware: hardwareSpecOf(withHardwareOverrides(hardware, scenario)),
    workload,
    parallel,
    dtypes,
    overlap: scenario.overlap ?? "none",
    mlaMode: scenario.mla ?? "auto",
    moeAllToAll: scenario.a2a ?? "auto",
    allReduce: scenario.allReduce ?? "nccl",
    predictor: rooflinePredictor({ ...DEFAULT_ROOFLINE_PARAMS, ...efficiency }),
    ...(scenario.memoryUtilization !== undefined ? { memoryUtilization: scenario.memoryUtilization } : {}),
    ...(scenario.ignoreMemory ? { ignoreMemory: true } : {}),
  };
}

/**
 * A step scenario merged from a file and flags (or a web form), checked by its schema. Throws
 * InputError with the same field issues the CLI prints.
 */
export function checkStepScenario(merged: Record<string, unknown>, file?: string): StepScenario {
  const checked = stepScenarioSchema.safeParse(merged);
  if (!checked.success)
    throw new InputError(mergedScenarioIssues(checked.error, file, merged, stepScenarioSchema));
  return checked.data;
}

/**
 * The roofline with `--efficiency` overrides (checked like a scenario's `efficiency` map: unknown
 * keys and out-of-range values are bad input), named after them so reports say what was changed.
 */
export function rooflineWithOverrides(overrides: Record<string, number>): Predictor {
  const input = { efficiency: overrides };
  const schema = z.strictObject({ efficiency: efficiencySchema });
  const checked = schema.safeParse(input);
  if (!checked.success) throw new InputError(mergedScenarioIssues(checked.error, undefined, input, schema));
  const entries = Object.entries(overrides);
  const roofline = rooflinePredictor({ ...DEFAULT_ROOFLINE_PARAMS, ...overrides });
  if (entries.length === 0) return roofline;
  return { ...roofline, name: `roofline (${entries.map(([k, v]) => `${k}=${v}`).join(", ")})` };
}

/** Engine input for a checked scenario, its hardware looked up in `registry`. */
export function stepInputFromRegistry(
  scenario: StepScenario,
  model: ModelSpec,
  registry: HardwareRegistry,
): StepInput {
  const hardware = registry.resolve(scenario.hardware);
  if (!hardware.ok) throw new InputError(hardware.issues);
  return stepInputFromScenario(scenario, model, hardware.record);
}
