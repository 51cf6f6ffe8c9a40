import type { Command, OptionValues } from "@commander-js/extra-typings";
import { DEFAULT_STEP_SCENARIO } from "../../config/defaults.ts";
import { loadWithSchema } from "../../config/load.ts";
import { type StepScenario, stepScenarioSchema } from "../../config/schema/scenario.ts";
import { STEP_FIELDS } from "../../config/step-fields.ts";
import { checkStepScenario, stepInputFromRegistry } from "../../config/step-request.ts";
import type { Dtype, WeightBlockSize } from "../../core/dtype.ts";
import type { HardwareSpec } from "../../core/hardware/types.ts";
import { InputError } from "../../core/issues.ts";
import { rooflinePredictor } from "../../core/predictor/roofline.ts";
import { memorySpec, rooflineSpec, stepBreakdownSpec } from "../../core/report/step-charts.ts";
import type { StepResult } from "../../core/step/result.ts";
import { simulateStep } from "../../core/step/simulate.ts";
import { readText, resolveFrom, writeFilesAtomically } from "../../io/files.ts";
import { loadHardwareRegistry } from "../../io/hardware.ts";
import { loadModel } from "../../io/model.ts";
import { loadPredictor } from "../../io/predictor.ts";
import { svgToPng, vegaLiteToSvg } from "../../io/render-chart.ts";
import { EXIT_RESULT } from "../errors.ts";
import { featuresCsv } from "../format/features-csv.ts";
import { renderCsv, renderJson } from "../format/table.ts";
import {
  chartFile,
  dtype,
  intAtLeast,
  keyValue,
  outputFile,
  outputFormat,
  positiveNumber,
  weightBlockSize,
} from "../options.ts";
import { renderStepReport, stepCsvRows } from "../step-view.ts";

/** Scenario keys whose flags commander spells differently (`--scale-up-gbps` is `scaleUpGbps`). */
export const RENAMED_FLAGS = {
  scaleUpGbps: "scaleUpGBps",
  scaleOutGbps: "scaleOutGBps",
  hbmGbps: "hbmGBps",
} as const;

/**
 * Values of the step flags. Written out (not inferred from the option chain) so that declaration
 * emit does not have to print commander's accumulated option types.
 */
export interface StepFlags {
  readonly scenario?: string;
  readonly model?: string;
  readonly hardware?: string;
  readonly hardwareFile?: string[];
  readonly gpus?: number;
  readonly tp?: number;
  readonly pp?: number;
  readonly dp?: number;
  readonly ep?: number;
  readonly redundantExperts?: number;
  readonly expertImbalance?: number;
  readonly phase?: string;
  readonly batch?: number;
  readonly seq?: number;
  readonly context?: number;
  readonly cached?: number;
  readonly prefillBatch?: number;
  readonly weightDtype?: Dtype;
  readonly weightBlockSize?: WeightBlockSize | "none";
  readonly kvDtype?: Dtype;
  readonly activationDtype?: Dtype;
  readonly overlap?: string;
  readonly mla?: string;
  readonly a2a?: string;
  readonly allReduce?: string;
  readonly memoryUtilization?: number;
  readonly ignoreMemory?: true;
  readonly scaleUpGbps?: number;
  readonly scaleOutGbps?: number;
  readonly hbmGbps?: number;
  readonly domainGpus?: number;
  readonly efficiency?: Record<string, number>;
  readonly predictor?: string;
}

/** Adds the flags that describe a step (shared by `llmsim step` and `llmsim ops`). */
export function addStepFlags<A extends unknown[], O extends OptionValues>(
  command: Command<A, O>,
): Command<A, O & StepFlags> {
  const withFlags = command
    .option(
      "--scenario <file>",
      "YAML/JSON file with the same fields as these flags (flags override it); without it and --model, runs DeepSeek-V3 decode on 32 H800s",
    )
    .option("--model <id|config.json>", "Hugging Face id of a built-in model, or a path to a config.json")
    .option("--hardware <name>", "accelerator or cluster (see `llmsim hardware`)")
    .option("--hardware-file <files...>", "YAML/JSON files with extra accelerators and clusters")
    .option("--gpus <n>", "GPUs per replica (= tp x pp x dp; sets dp when --dp is absent)", intAtLeast(1))
    .option("--tp <n>", "tensor parallelism (default 1)", intAtLeast(1))
    .option("--pp <n>", "pipeline stages (default 1)", intAtLeast(1))
    .option("--dp <n>", "attention data-parallel groups per stage (default 1)", intAtLeast(1))
    .option("--ep <n>", "expert parallelism over the tp x dp GPUs of a stage (default 1)", intAtLeast(1))
    .option("--redundant-experts <n>", "extra expert replicas per replica (EPLB)", intAtLeast(0))
    .option(
      "--expert-imbalance <x>",
      "busiest EP rank's routed tokens over the mean (default 1)",
      positiveNumber(),
    )
    .option("--phase <phase>", "prefill | decode | mixed (default decode)")
    .option("--batch <n>", "sequences per attention-DP group (decode sequences when mixed)", intAtLeast(1))
    .option(
      "--seq <n>",
      "prompt tokens per sequence (prefill/mixed); decode context when --context is absent",
      intAtLeast(1),
    )
    .option("--context <n>", "KV length each decode token attends to", intAtLeast(1))
    .option("--cached <n>", "prefix-cache hits per prompt, tokens (prefill)", intAtLeast(0))
    .option("--prefill-batch <n>", "prompts in a mixed step", intAtLeast(1))
    .option("--weight-dtype <dtype>", "weight format (default: the checkpoint's)", dtype)
    .option("--kv-dtype <dtype>", "KV-cache format (default: the activation format, bf16)", dtype)
    .option("--activation-dtype <dtype>", "activation format (default bf16)", dtype)
    .option(
      "--weight-block-size <RxC|none>",
      "FP8 weights per scale, e.g. 128x128, or none for per-tensor scales (default: the checkpoint's)",
      weightBlockSize,
    )
    .option("--overlap <policy>", "none | full | two-micro-batch (default none)")
    .option("--mla <form>", "auto | absorbed | naive (default auto: absorbed for decode)")
    .option(
      "--a2a <mode>",
      "MoE all-to-all: auto | normal | low-latency (default auto: normal with prefill tokens)",
    )
    .option(
      "--all-reduce <kernels>",
      "TP all-reduce: nccl | custom (the framework's one-shot kernel inside one NVLink domain; default nccl)",
    )
    .option("--memory-utilization <f>", "usable fraction of HBM (default 0.9)", positiveNumber())
    .option("--ignore-memory", "simulate even when the configuration does not fit")
    .option("--scale-up-gbps <GBps>", "override scale-up (NVLink) bandwidth per GPU", positiveNumber())
    .option("--scale-out-gbps <GBps>", "override scale-out (NIC) bandwidth per GPU", positiveNumber())
    .option("--hbm-gbps <GBps>", "override HBM bandwidth", positiveNumber())
    .option("--domain-gpus <n>", "override the scale-up domain size", intAtLeast(1))
    .option(
      "--efficiency <key=value>",
      "roofline efficiency override, repeatable (e.g. gemmComputeEfficiency=0.6)",
      keyValue,
    )
    .option(
      "--predictor <form>",
      "roofline (default) | calibrated:<predictor.json> (from `llmsim calibrate`) | table:<measurement files, comma-separated>",
    );
  return withFlags as unknown as Command<A, O & StepFlags>;
}

/** The step the flags (and the --scenario file they override) describe, simulated. */
export async function stepResultFromFlags(options: StepFlags): Promise<StepResult> {
  return (await stepRunFromFlags(options)).result;
}

/** The simulated step and the accelerator it ran on (overrides applied), for the roofline chart. */
async function stepRunFromFlags(options: StepFlags): Promise<{ result: StepResult; hardware: HardwareSpec }> {
  const fromFile: Partial<StepScenario> = options.scenario
    ? loadScenarioFile(options.scenario)
    : options.model === undefined
      ? DEFAULT_STEP_SCENARIO
      : {};
  const merged: Record<string, unknown> = { ...fromFile };
  const flags = options as Record<string, unknown>;
  for (const key of STEP_FIELDS) if (flags[key] !== undefined) merged[key] = flags[key];
  for (const [flag, key] of Object.entries(RENAMED_FLAGS))
    if (flags[flag] !== undefined) merged[key] = flags[flag];
  if (options.efficiency)
    merged.efficiency = { ...(merged.efficiency as object | undefined), ...options.efficiency };
  if (merged.hardware === undefined) merged.hardware = DEFAULT_STEP_SCENARIO.hardware;
  const scenario = checkStepScenario(merged, options.scenario);
  const scenarioFile = options.scenario;
  const hardwareFiles = [
    ...(scenario.hardwareFile
      ? [
          resolveFrom(
            fromFile.hardwareFile === scenario.hardwareFile ? scenarioFile : undefined,
            scenario.hardwareFile,
          ),
        ]
      : []),
    ...(options.hardwareFile ?? []),
  ];
  const registry = loadHardwareRegistry(hardwareFiles);
  const model = loadModel(
    scenario.model,
    options.scenario && fromFile.model === scenario.model ? scenarioFile : undefined,
  );
  const input = stepInputFromRegistry(scenario, model, registry);
  const predictor = options.predictor
    ? await loadPredictor(options.predictor, input.predictor ?? rooflinePredictor(), registry)
    : input.predictor;
  return {
    result: simulateStep({ ...input, ...(predictor ? { predictor } : {}) }),
    hardware: input.hardware,
  };
}

async function writeStepCharts(
  result: StepResult,
  hardware: HardwareSpec,
  options: { chart?: string; rooflineChart?: string; memoryChart?: string },
): Promise<void> {
  const p = result.parallel;
  const label = `${result.hardware.name}, tp ${p.tp} dp ${p.dp} ep ${p.ep}`;
  const charts: [string | undefined, () => Record<string, unknown> | null][] = [
    [
      options.chart,
      () => (result.totals ? stepBreakdownSpec(result, `${result.model.id} on ${label}`) : null),
    ],
    [
      options.rooflineChart,
      () => (result.totals ? rooflineSpec(result, hardware, `${result.model.id} on ${label}`) : null),
    ],
    [options.memoryChart, () => memorySpec(result.memory, label)],
  ];
  const files: [string, string | Uint8Array][] = [];
  for (const [file, spec] of charts) {
    if (!file) continue;
    const built = spec();
    if (!built) continue;
    const svg = await vegaLiteToSvg(built);
    files.push([file, file.toLowerCase().endsWith(".png") ? svgToPng(svg) : svg]);
  }
  if (files.length > 0) writeFilesAtomically(files);
}

export function registerStep(program: Command): void {
  addStepFlags(
    program
      .command("step")
      .description("Simulate one prefill, decode or mixed step: per-layer times, totals and memory per GPU"),
  )
    .option(
      "--features-csv <file>",
      "also write every op's features and predicted time (CSV) to this file",
      outputFile(".csv"),
    )
    .option("--ops", "show (or write with --csv) every op of every layer")
    .option(
      "--chart <file>",
      "write the per-layer compute/memory/communication chart (.svg or .png)",
      chartFile,
    )
    .option(
      "--roofline-chart <file>",
      "write the roofline chart with every op on it (.svg or .png)",
      chartFile,
    )
    .option("--memory-chart <file>", "write memory per GPU against capacity (.svg or .png)", chartFile)
    .option("--json", "machine-readable JSON on stdout")
    .option("--csv", "CSV on stdout (one row per layer, or per op with --ops)")
    .action(async (options) => {
      const format = outputFormat(options);
      const { result, hardware } = await stepRunFromFlags(options);
      await writeStepCharts(result, hardware, options);
      if (options.featuresCsv) writeFilesAtomically([[options.featuresCsv, featuresCsv(result)]]);
      if (format === "json") process.stdout.write(renderJson(result));
      else if (format === "csv") {
        const { head, rows } = stepCsvRows(result, options.ops === true);
        process.stdout.write(renderCsv(head, rows));
      } else process.stdout.write(renderStepReport(result, options.ops === true));
      for (const warning of result.warnings) process.stderr.write(`llmsim: warning: ${warning}\n`);
      if (result.status === "does-not-fit") {
        process.stderr.write(
          "llmsim: the configuration does not fit in memory (see memory); nothing was simulated\n",
        );
        process.exitCode = EXIT_RESULT;
      }
    });
}

function loadScenarioFile(file: string): Partial<StepScenario> {
  const parsed = loadWithSchema(readText(file, "scenario"), file, stepScenarioSchema.partial());
  if (!parsed.ok) throw new InputError(parsed.issues);
  return parsed.value as Partial<StepScenario>;
}
