import type { Command } from "@commander-js/extra-typings";
import { loadWithSchema } from "../../config/load.ts";
import { serveDeploymentSchema } from "../../config/schema/validation.ts";
import { InputError } from "../../core/issues.ts";
import { rooflinePredictor } from "../../core/predictor/roofline.ts";
import { SCHEDULER_KINDS } from "../../core/sim/serve/types.ts";
import { compareRuns, type MetricComparison, requestCdfSpec } from "../../core/validation/requests.ts";
import { readText, writeFilesAtomically } from "../../io/files.ts";
import { loadHardwareRegistry } from "../../io/hardware.ts";
import { readHostOverheadTable } from "../../io/host-overhead.ts";
import { readMeasuredRun } from "../../io/measured-run.ts";
import { loadPredictor } from "../../io/predictor.ts";
import { svgToPng, vegaLiteToSvg } from "../../io/render-chart.ts";
import { simulateRun } from "../../io/validation.ts";
import { fixed } from "../format/numbers.ts";
import { renderJson, renderTable } from "../format/table.ts";
import { chartFile, dtype, fraction, intAtLeast, oneOf, positiveNumber } from "../options.ts";

const HEAD = [
  "metric",
  "run",
  "n",
  "mean ms",
  "p50 ms",
  "p90 ms",
  "p99 ms",
  "KS distance",
  "p50 / p90 / p99 error %",
];

function rows(c: MetricComparison): (string | number)[][] {
  const stats = (s: MetricComparison["measured"]) => [
    s.count,
    fixed(s.meanMs, 2),
    fixed(s.p50Ms, 2),
    fixed(s.p90Ms, 2),
    fixed(s.p99Ms, 2),
  ];
  return [
    [c.metric.toUpperCase(), "measured", ...stats(c.measured), "", ""],
    [
      "",
      "simulated",
      ...stats(c.simulated),
      fixed(c.ks, 3),
      `${fixed(c.p50ErrorPct, 1)} / ${fixed(c.p90ErrorPct, 1)} / ${fixed(c.p99ErrorPct, 1)}`,
    ],
  ];
}

function loadDeployment(file: string) {
  const parsed = loadWithSchema(readText(file, "--scenario"), file, serveDeploymentSchema);
  if (!parsed.ok) throw new InputError(parsed.issues);
  return parsed.value;
}

export function registerValidateRequests(program: Command): void {
  program
    .command("validate-requests")
    .description(
      "Replay a measured run's arrivals and lengths through the serving simulator and compare TTFT, TPOT and E2E distributions: percentiles, KS distance, CDF chart",
    )
    .requiredOption(
      "--measured <file>",
      "per-request CSV: arrival_time_ns, input/output token columns, ttft_ns, completion_time_ns",
    )
    .option(
      "--scenario <file>",
      "YAML/JSON with the deployment's fields (model, hardware, tp, replicas, scheduler, maxSeqs, maxBatchedTokens, weightDtype, kvDtype, activationDtype, memoryUtilization, hostOverheadMs); flags override it",
    )
    .option("--model <id|config.json>", "the model that served the run")
    .option("--hardware <name>", "the accelerator it ran on")
    .option("--tp <n>", "tensor parallelism per replica (default 1)", intAtLeast(1))
    .option("--replicas <n>", "replicas (default 1)", intAtLeast(1))
    .option(
      "--scheduler <kind>",
      `${SCHEDULER_KINDS.join(" | ")} (default continuous)`,
      oneOf(SCHEDULER_KINDS),
    )
    .option("--max-seqs <n>", "sequences per batch (default 256)", intAtLeast(1))
    .option("--max-batched-tokens <n>", "token budget per iteration (default 8192)", intAtLeast(1))
    .option("--weight-dtype <dtype>", "weight format (default: the checkpoint's)", dtype)
    .option("--kv-dtype <dtype>", "KV-cache format (default: the activation format, bf16)", dtype)
    .option("--activation-dtype <dtype>", "activation format (default bf16)", dtype)
    .option(
      "--memory-utilization <f>",
      "fraction of HBM for weights, activations and KV cache (default 0.9)",
      fraction,
    )
    .option(
      "--host-overhead-ms <ms>",
      "host (CPU) time added to every iteration (default 0)",
      positiveNumber(true),
    )
    .option(
      "--host-overhead-table <file>",
      "host time per iteration against batch size, per model and TP (Vidur's cpu_overheads.csv format)",
    )
    .option("--hardware-file <files...>", "YAML/JSON files with extra accelerators and clusters")
    .option(
      "--predictor <form>",
      "roofline (default) | calibrated:<predictor.json> | table:<measurement files>",
    )
    .option("--chart <file>", "write the CDF overlay chart (.svg or .png)", chartFile)
    .option("--json", "the comparison as JSON")
    .action(async (options) => {
      const run = readMeasuredRun(options.measured);
      const registry = loadHardwareRegistry(options.hardwareFile ?? []);
      const predictor = options.predictor
        ? await loadPredictor(options.predictor, rooflinePredictor(), registry)
        : undefined;
      const fromFile = options.scenario ? loadDeployment(options.scenario) : {};
      const model = options.model ?? fromFile.model;
      const hardware = options.hardware ?? fromFile.hardware;
      if (model === undefined || hardware === undefined)
        throw new InputError(
          (["model", "hardware"] as const)
            .filter((key) => (key === "model" ? model : hardware) === undefined)
            .map((key) => ({
              code: "missing-field",
              path: [`--${key}`],
              message: "is required (as a flag or in --scenario)",
            })),
        );
      const deployment = {
        ...fromFile,
        model,
        hardware,
        ...Object.fromEntries(
          (
            [
              "tp",
              "replicas",
              "scheduler",
              "weightDtype",
              "kvDtype",
              "activationDtype",
              "memoryUtilization",
              "maxSeqs",
              "maxBatchedTokens",
              "hostOverheadMs",
            ] as const
          )
            .filter((key) => options[key] !== undefined)
            .map((key) => [key, options[key]]),
        ),
      };
      const hostOverheadTable = options.hostOverheadTable
        ? await readHostOverheadTable(options.hostOverheadTable)
        : undefined;
      const simulated = simulateRun(
        deployment,
        { registry, predictor },
        {
          arrivalSec: run.times.arrivalSec,
          promptTokens: run.promptTokens,
          outputTokens: run.times.outputTokens,
        },
        hostOverheadTable,
      );
      const comparison = compareRuns(run.times, simulated);
      const title = `${options.measured} vs llmsim serve (${model} on ${deployment.replicas ?? 1} x ${deployment.tp ?? 1} ${hardware})`;
      if (options.chart) {
        const svg = await vegaLiteToSvg(requestCdfSpec(run.times, simulated, title));
        writeFilesAtomically([
          [options.chart, options.chart.toLowerCase().endsWith(".png") ? svgToPng(svg) : svg],
        ]);
      }
      if (options.json) {
        process.stdout.write(
          renderJson({ schemaVersion: 1, requests: run.times.arrivalSec.length, comparison }),
        );
        return;
      }
      process.stdout.write(
        `${title}: ${run.times.arrivalSec.length} requests replayed (their arrivals and lengths)\n\n`,
      );
      process.stdout.write(renderTable(HEAD, comparison.flatMap(rows)));
      process.stdout.write(
        `\nKS distance: the largest gap between the two empirical CDFs (0 identical, 1 disjoint); errors are simulated / measured - 1\n${comparison.map((c) => c.definition).join("\n")}\n`,
      );
    });
}
