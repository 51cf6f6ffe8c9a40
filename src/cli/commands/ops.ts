import type { Command } from "@commander-js/extra-typings";
import { InputError } from "../../core/issues.ts";
import { simulateScenario } from "../../core/scenario/simulate.ts";
import { SCENARIO_PHASES, type ScenarioPhase, scenarioWorkload } from "../../core/scenario/workload.ts";
import { scenarioPredictor } from "../../io/predictor.ts";
import { loadSeedScenario } from "../../io/seed-scenario.ts";
import { renderCsv, renderJson } from "../format/table.ts";
import {
  distinctOpBlocks,
  OP_BLOCK_CSV_HEAD,
  type OpBlock,
  opBlockCsvRows,
  renderOpBlocks,
} from "../ops-view.ts";
import { outputFormat } from "../options.ts";
import { addStepFlags, type StepFlags, stepResultFromFlags } from "./step.ts";

/** Step flags that describe the model and hardware, which a scenario file already names. */
const STEP_ONLY_FLAGS = [
  "scenario",
  "model",
  "hardware",
  "hardwareFile",
  "gpus",
  "tp",
  "pp",
  "dp",
  "ep",
] as const;

async function scenarioBlocks(
  file: string,
  options: StepFlags,
): Promise<{ title: string; blocks: OpBlock[]; warnings: readonly string[] }> {
  const given = STEP_ONLY_FLAGS.filter((key) => options[key] !== undefined);
  const issues = given.map((key) => ({
    code: "invalid-value",
    path: [`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`],
    message: "the scenario file names the model and hardware; give either a scenario or step flags",
  }));
  const phase = options.phase ?? "decode";
  if (!(SCENARIO_PHASES as readonly string[]).includes(phase))
    issues.push({
      code: "invalid-value",
      path: ["--phase"],
      message: `a scenario runs decode or prefill, got "${phase}"`,
    });
  for (const [flag, value] of [
    ["--batch", options.batch],
    ["--seq", options.seq],
  ] as const)
    if (value === undefined)
      issues.push({ code: "missing-field", path: [flag], message: "is required with a scenario file" });
  if (issues.length > 0) throw new InputError(issues);
  const scenario = loadSeedScenario(file);
  const predictor = await scenarioPredictor(options.predictor, options.hardwareFile ?? []);
  const result = simulateScenario({
    ...scenario,
    ...(predictor ? { predictor } : {}),
    workload: scenarioWorkload(phase as ScenarioPhase, options.batch as number, options.seq as number),
  });
  const w = result.workload;
  const shape = w.prefill
    ? `prefill ${w.prefill.sequences} x ${w.prefill.newTokens} tokens`
    : `decode ${w.decode?.sequences} sequences at context ${w.decode?.contextTokens}`;
  return {
    title: `${result.model} on ${result.hardware}: ${shape}, fused ops per GPU`,
    blocks: distinctOpBlocks(result.layers.map((layer) => ({ name: layer.layer_name, ops: layer.ops }))),
    warnings: scenario.warnings,
  };
}

async function stepBlocks(
  options: StepFlags,
): Promise<{ title: string; blocks: OpBlock[]; warnings: readonly string[] }> {
  const result = await stepResultFromFlags({ ...options, ignoreMemory: true });
  return {
    title: `${result.model.id} on ${result.hardware.name}: fused ops per GPU (tp ${result.parallel.tp}, ep ${result.parallel.ep})`,
    blocks: distinctOpBlocks(result.layers),
    warnings: result.warnings,
  };
}

export function registerOps(program: Command): void {
  addStepFlags(
    program
      .command("ops")
      .description(
        "Inspect each fused kernel of a step: FLOPs, bytes, arithmetic intensity, the binding roof and the formula",
      )
      .argument(
        "[scenario]",
        "LLMSimulator scenario YAML (with --batch, --seq); without it the `llmsim step` flags",
      ),
  )
    .option("--json", "machine-readable JSON on stdout")
    .option("--csv", "CSV on stdout, one row per op")
    .action(async (file, options) => {
      const format = outputFormat(options);
      const { title, blocks, warnings } =
        file === undefined ? await stepBlocks(options) : await scenarioBlocks(file, options);
      if (format === "json") process.stdout.write(renderJson({ schemaVersion: 1, title, blocks }));
      else if (format === "csv") process.stdout.write(renderCsv(OP_BLOCK_CSV_HEAD, opBlockCsvRows(blocks)));
      else process.stdout.write(renderOpBlocks(title, blocks));
      for (const warning of warnings) process.stderr.write(`llmsim: warning: ${warning}\n`);
    });
}
