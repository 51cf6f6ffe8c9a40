import type { Command } from "@commander-js/extra-typings";
import { simulateAfd } from "../../core/afd/simulate.ts";
import { SCENARIO_PHASES, scenarioWorkload } from "../../core/scenario/workload.ts";
import { scenarioPredictor } from "../../io/predictor.ts";
import { AFD_CSV_HEAD, afdCsvRows, renderAfdReport } from "../afd-view.ts";
import { renderCsv, renderJson } from "../format/table.ts";
import { fraction, intAtLeast, intList, oneOf, outputFormat, positiveNumber } from "../options.ts";
import { playbookSource } from "../playbook-input.ts";

export function registerAfd(program: Command): void {
  const afd = program.command("afd").description("Attention-FFN disaggregation playbooks");
  afd
    .command("simulate")
    .description(
      "Attention and FFN/expert layers on separate GPUs with micro-batch ping-pong: search the attention:FFN GPU ratio and micro-batches, compare with the same GPUs co-located",
    )
    .argument("[scenario]", "seed scenario YAML (hardware + layer templates); or give --model and --hardware")
    .option("--model <id|config.json>", "built-in model id or config.json (replaces the scenario's model)")
    .option("--hardware <name>", "accelerator or cluster (replaces the scenario's hardware)")
    .option("--hardware-file <files...>", "YAML/JSON files with extra accelerators and clusters")
    .option("--attention-hardware <name>", "accelerator of the attention GPUs (default: the hardware)")
    .option("--ffn-hardware <name>", "accelerator of the FFN/expert GPUs (default: the hardware)")
    .requiredOption("--batch <n>", "sequences per attention GPU", intAtLeast(1))
    .requiredOption("--seq <n>", "KV context per sequence (decode) or prompt tokens (prefill)", intAtLeast(1))
    .option("--phase <phase>", "decode | prefill (default decode)", oneOf(SCENARIO_PHASES), "decode")
    .option(
      "--attention-gpus <list>",
      "attention GPU counts to search (default 1,2,4,8,16,32,64)",
      intList(1),
    )
    .option(
      "--ffn-gpus <list>",
      "FFN GPU counts to search, EP over them (default 1,2,4,8,16,32,64)",
      intList(1),
    )
    .option("--micro-batches <list>", "micro-batches in flight to search (default 1,2,3,4)", intList(1))
    .option(
      "--expert-imbalance <x>",
      "busiest FFN rank's routed tokens over the mean (default 1)",
      positiveNumber(),
    )
    .option("--redundant-experts <n>", "extra expert slots on the FFN GPUs (EPLB)", intAtLeast(0))
    .option("--memory-utilization <f>", "usable fraction of HBM (default 0.9)", fraction)
    .option("--top <n>", "splits shown in the table (default 10)", intAtLeast(1), 10)
    .option(
      "--predictor <form>",
      "roofline (default) | calibrated:<predictor.json> | table:<measurement files>",
    )
    .option("--json", "machine-readable JSON on stdout")
    .option("--csv", "CSV on stdout, one row per split")
    .action(async (scenarioFile, options) => {
      const format = outputFormat(options);
      const source = playbookSource(scenarioFile, options);
      const predictor = await scenarioPredictor(options.predictor, options.hardwareFile ?? []);
      const attentionHardware = options.attentionHardware
        ? source.resolveHardware(options.attentionHardware, "--attention-hardware")
        : source.hardware;
      const ffnHardware = options.ffnHardware
        ? source.resolveHardware(options.ffnHardware, "--ffn-hardware")
        : attentionHardware;
      const report = simulateAfd({
        model: source.model,
        ...(predictor ? { predictor } : {}),
        attentionHardware,
        ffnHardware,
        colocatedHardware: source.hardware,
        workload: scenarioWorkload(options.phase, options.batch, options.seq),
        ...(options.attentionGpus ? { attentionGpus: options.attentionGpus } : {}),
        ...(options.ffnGpus ? { ffnGpus: options.ffnGpus } : {}),
        ...(options.microBatches ? { microBatches: options.microBatches } : {}),
        ...(options.expertImbalance !== undefined ? { expertImbalance: options.expertImbalance } : {}),
        ...(options.redundantExperts !== undefined ? { redundantExperts: options.redundantExperts } : {}),
        ...(options.memoryUtilization !== undefined ? { memoryUtilization: options.memoryUtilization } : {}),
      });
      if (format === "json") process.stdout.write(renderJson(report));
      else if (format === "csv") process.stdout.write(renderCsv(AFD_CSV_HEAD, afdCsvRows(report)));
      else process.stdout.write(renderAfdReport(report, options.top));
      for (const warning of source.warnings) process.stderr.write(`llmsim: warning: ${warning}\n`);
      if (report.best === null)
        process.stderr.write(
          "llmsim: warning: no attention:FFN split fits in memory (see the fits column)\n",
        );
    });
}
