import type { Command } from "@commander-js/extra-typings";
import { simulateScenario } from "../../core/scenario/simulate.ts";
import { SCENARIO_PHASES, scenarioWorkload } from "../../core/scenario/workload.ts";
import { scenarioPredictor } from "../../io/predictor.ts";
import { loadSeedScenario } from "../../io/seed-scenario.ts";
import { renderCsv, renderJson } from "../format/table.ts";
import { intAtLeast, oneOf, outputFormat } from "../options.ts";
import { renderScenarioReport, SCENARIO_CSV_HEAD, scenarioCsvRows } from "../scenario-view.ts";

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description(
      "Walk an LLMSimulator scenario's ordered layers on one GPU: a LayerExecution per layer and the totals",
    )
    .argument(
      "<scenario>",
      "scenario YAML (hardware: <file>, layers: [{type, config}]); see docs/scenarios.md",
    )
    .requiredOption("--batch <n>", "sequences", intAtLeast(1))
    .requiredOption(
      "--seq <n>",
      "prompt tokens per sequence (prefill) or KV length attended (decode)",
      intAtLeast(1),
    )
    .option("--phase <phase>", "decode | prefill (default decode)", oneOf(SCENARIO_PHASES), "decode")
    .option(
      "--predictor <form>",
      "roofline (default) | calibrated:<predictor.json> | table:<measurement files>",
    )
    .option("--json", "machine-readable JSON on stdout")
    .option("--csv", "CSV on stdout, one row per layer")
    .action(async (file, options) => {
      const format = outputFormat(options);
      const scenario = loadSeedScenario(file);
      const predictor = await scenarioPredictor(options.predictor);
      const result = simulateScenario({
        ...scenario,
        ...(predictor ? { predictor } : {}),
        workload: scenarioWorkload(options.phase, options.batch, options.seq),
      });
      if (format === "json") process.stdout.write(renderJson(result));
      else if (format === "csv") process.stdout.write(renderCsv(SCENARIO_CSV_HEAD, scenarioCsvRows(result)));
      else process.stdout.write(renderScenarioReport(result));
      for (const warning of scenario.warnings) process.stderr.write(`llmsim: warning: ${warning}\n`);
    });
}
