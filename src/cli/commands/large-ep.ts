import type { Command } from "@commander-js/extra-typings";
import { evaluateLargeEp } from "../../core/large-ep/evaluate.ts";
import { SCENARIO_PHASES, scenarioWorkload } from "../../core/scenario/workload.ts";
import { scenarioPredictor } from "../../io/predictor.ts";
import { renderCsv, renderJson } from "../format/table.ts";
import { parseImbalance } from "../imbalance-option.ts";
import { LARGE_EP_CSV_HEAD, largeEpCsvRows, renderLargeEpReport } from "../large-ep-view.ts";
import { intAtLeast, intList, oneOf, outputFormat, positiveNumber } from "../options.ts";
import { playbookSource } from "../playbook-input.ts";

export function registerLargeEp(program: Command): void {
  const largeEp = program
    .command("large-ep")
    .description("Large expert-parallel playbooks (EP 8 to 320 across NVLink domains and RDMA)");
  largeEp
    .command("evaluate")
    .description(
      "Per-MoE-layer cost (attention, experts, dispatch, combine, exposed comm) and throughput per GPU as EP grows, both dispatch modes, two-micro-batch overlap off and on",
    )
    .argument("[scenario]", "seed scenario YAML (hardware + layer templates); or give --model and --hardware")
    .option("--model <id|config.json>", "built-in model id or config.json (replaces the scenario's model)")
    .option("--hardware <name>", "accelerator or cluster (replaces the scenario's hardware)")
    .option("--hardware-file <files...>", "YAML/JSON files with extra accelerators and clusters")
    .requiredOption("--batch <n>", "sequences per GPU (attention runs TP 1, DP = EP)", intAtLeast(1))
    .requiredOption("--seq <n>", "KV context per sequence (decode) or prompt tokens (prefill)", intAtLeast(1))
    .option("--phase <phase>", "decode | prefill (default decode)", oneOf(SCENARIO_PHASES), "decode")
    .option(
      "--ep <list>",
      "EP degrees, comma-separated (default 8,16,32,64,72,128,144,256,288,320 where the experts and hardware allow)",
      intList(1),
    )
    .option("--redundant-experts <n>", "extra expert slots for the hottest experts (EPLB)", intAtLeast(0), 0)
    .option(
      "--imbalance <form>",
      "uniform | power-law:<alpha> | histogram:<file of per-expert token counts> (default uniform)",
      "uniform",
    )
    .option("--memory-utilization <f>", "usable fraction of HBM (default 0.9)", positiveNumber())
    .option(
      "--predictor <form>",
      "roofline (default) | calibrated:<predictor.json> | table:<measurement files>",
    )
    .option("--json", "machine-readable JSON on stdout")
    .option("--csv", "CSV on stdout, one row per EP, dispatch mode and overlap")
    .action(async (scenarioFile, options) => {
      const format = outputFormat(options);
      const source = playbookSource(scenarioFile, options);
      const predictor = await scenarioPredictor(options.predictor, options.hardwareFile ?? []);
      const report = evaluateLargeEp({
        model: source.model,
        ...(predictor ? { predictor } : {}),
        hardware: source.hardware,
        workload: scenarioWorkload(options.phase, options.batch, options.seq),
        ...(options.ep ? { eps: options.ep } : {}),
        redundantExperts: options.redundantExperts,
        imbalance: parseImbalance(options.imbalance),
        ...(options.memoryUtilization !== undefined ? { memoryUtilization: options.memoryUtilization } : {}),
      });
      if (format === "json") process.stdout.write(renderJson(report));
      else if (format === "csv") process.stdout.write(renderCsv(LARGE_EP_CSV_HEAD, largeEpCsvRows(report)));
      else process.stdout.write(renderLargeEpReport(report));
      for (const warning of source.warnings) process.stderr.write(`llmsim: warning: ${warning}\n`);
      if (!report.rows.some((row) => row.fits))
        process.stderr.write(
          "llmsim: warning: no EP degree fits in memory; times are shown with memory ignored\n",
        );
    });
}
