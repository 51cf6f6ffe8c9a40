import type { Command } from "@commander-js/extra-typings";
import {
  ARRIVAL_KINDS,
  checkServeOptions,
  serveJson,
  serveRequests,
  serveSetup,
} from "../../config/serve-request.ts";
import { ALL_REDUCE_IMPLEMENTATIONS } from "../../core/collectives/custom-all-reduce.ts";
import { rooflinePredictor } from "../../core/predictor/roofline.ts";
import { latencyCdfPoints, latencyCdfSpec } from "../../core/report/latency-cdf.ts";
import { requestSpans, requestTimelineSpec } from "../../core/report/request-timeline.ts";
import { throughputChartSpec, throughputOverTime } from "../../core/report/throughput-chart.ts";
import { simulateServing } from "../../core/sim/serve/engine.ts";
import {
  type LatencyStats,
  requestMetricsCsv,
  type ServeSummary,
  summarizeServing,
} from "../../core/sim/serve/metrics.ts";
import { ROUTER_KINDS, SCHEDULER_KINDS } from "../../core/sim/serve/types.ts";
import { perfettoJsonSink } from "../../core/trace/perfetto.ts";
import { writeFilesAtomically } from "../../io/files.ts";
import { loadHardwareRegistry } from "../../io/hardware.ts";
import { readHostOverheadTable } from "../../io/host-overhead.ts";
import { loadModel } from "../../io/model.ts";
import { loadPredictor } from "../../io/predictor.ts";
import { svgToPng, vegaLiteToSvg } from "../../io/render-chart.ts";
import { readRequestTrace } from "../../io/request-trace.ts";
import { withStreamedFile } from "../../io/stream-file.ts";
import { fixed } from "../format/numbers.ts";
import { renderJson, renderTable } from "../format/table.ts";
import {
  chartFile,
  dtype,
  fraction,
  intAtLeast,
  lengthOption,
  oneOf,
  outputFile,
  positiveNumber,
} from "../options.ts";

const statsRow = (name: string, stats: LatencyStats) => [
  name,
  fixed(stats.meanMs, 2),
  fixed(stats.p50Ms, 2),
  fixed(stats.p90Ms, 2),
  fixed(stats.p99Ms, 2),
  fixed(stats.maxMs, 2),
];

function renderSummary(summary: ServeSummary, label: string): string {
  const lines = [
    label,
    `${summary.requests.toLocaleString("en-US")} requests in ${fixed(summary.durationSec, 2)} s on ${summary.gpus} GPUs: ${fixed(summary.requestsPerSec, 2)} req/s, ` +
      `${fixed(summary.inputTokensPerSec, 0)} input and ${fixed(summary.outputTokensPerSec, 0)} output tok/s (${fixed(summary.outputTokensPerSecPerGpu, 1)} output tok/s per GPU)`,
    "",
    renderTable(
      ["latency (ms)", "mean", "p50", "p90", "p99", "max"],
      [
        statsRow("queueing", summary.queue),
        statsRow("TTFT", summary.ttft),
        statsRow("TPOT", summary.tpot),
        statsRow("inter-token", summary.itl),
        statsRow("end-to-end", summary.e2e),
      ],
    ).trimEnd(),
    "",
    renderTable(
      ["pool", "role", "replicas", "GPUs", "utilisation", "iterations", "preemptions", "peak KV"],
      summary.pools.map((pool) => [
        pool.name,
        pool.role,
        pool.replicas,
        pool.gpus,
        `${fixed(pool.utilization * 100, 1)}%`,
        pool.iterations.toLocaleString("en-US"),
        pool.preemptions.toLocaleString("en-US"),
        `${fixed(pool.peakKvFraction * 100, 1)}%`,
      ]),
    ).trimEnd(),
  ];
  const { slo } = summary.goodput;
  if (slo.ttftMs !== undefined || slo.tpotMs !== undefined) {
    const targets = [
      slo.ttftMs !== undefined ? `TTFT <= ${slo.ttftMs} ms` : "",
      slo.tpotMs !== undefined ? `TPOT <= ${slo.tpotMs} ms` : "",
    ]
      .filter(Boolean)
      .join(", ");
    lines.push(
      "",
      `goodput (${targets}): ${fixed(summary.goodput.requestsPerSec, 2)} req/s, ${fixed(summary.goodput.fraction * 100, 1)}% of requests`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(
      "Request-level serving simulation: arrivals, router, replicas with continuous/chunked/static batching, KV cache, disaggregation",
    )
    .option("--model <id|config.json>", "model (default meta-llama/Llama-3.1-8B)")
    .option("--hardware <name>", "accelerator (default H100)")
    .option("--hardware-file <files...>", "YAML/JSON files with extra accelerators and clusters")
    .option("--tp <n>", "tensor parallelism per replica (default 1)", intAtLeast(1))
    .option("--pp <n>", "pipeline stages per replica, one micro-batch slot each (default 1)", intAtLeast(1))
    .option("--dp <n>", "attention-DP groups per replica (default 1)", intAtLeast(1))
    .option("--ep <n>", "expert parallelism per replica (default 1)", intAtLeast(1))
    .option("--replicas <n>", "replicas serving both phases (default 1)", intAtLeast(1))
    .option(
      "--prefill-replicas <n>",
      "disaggregate: prefill replicas (with --decode-replicas)",
      intAtLeast(1),
    )
    .option("--decode-replicas <n>", "disaggregate: decode replicas", intAtLeast(1))
    .option("--prefill-hardware <name>", "accelerator of the prefill pool (default --hardware)")
    .option("--decode-hardware <name>", "accelerator of the decode pool (default --hardware)")
    .option("--prefill-tp <n>", "TP of prefill replicas (default --tp)", intAtLeast(1))
    .option("--decode-tp <n>", "TP of decode replicas (default --tp)", intAtLeast(1))
    .option(
      "--kv-link-gbps <GBps>",
      "KV hand-off bandwidth per replica pair, GB/s (default: NIC bandwidth x GPUs of the smaller replica)",
      positiveNumber(),
    )
    .option(
      "--kv-link-latency-us <us>",
      "KV hand-off latency, µs (default: the catalog's scale-out latency, else 0)",
      positiveNumber(true),
    )
    .option(
      "--scheduler <kind>",
      `${SCHEDULER_KINDS.join(" | ")} (default continuous)`,
      oneOf(SCHEDULER_KINDS),
    )
    .option("--max-batched-tokens <n>", "token budget per iteration (default 8192)", intAtLeast(1))
    .option("--max-seqs <n>", "sequences per batch (default 256)", intAtLeast(1))
    .option("--router <kind>", `${ROUTER_KINDS.join(" | ")} (default least-outstanding)`, oneOf(ROUTER_KINDS))
    .option("--weight-dtype <dtype>", "weight format (default: the checkpoint's)", dtype)
    .option("--kv-dtype <dtype>", "KV-cache format (default: the activation format, bf16)", dtype)
    .option("--activation-dtype <dtype>", "activation format (default bf16)", dtype)
    .option(
      "--all-reduce <kernels>",
      "TP all-reduce: nccl | custom (the framework's one-shot kernel inside one NVLink domain; default nccl)",
      oneOf(ALL_REDUCE_IMPLEMENTATIONS),
    )
    .option(
      "--memory-utilization <f>",
      "fraction of HBM for weights, activations and KV cache (default 0.9)",
      fraction,
    )
    .option("--kv-tokens <n>", "KV-cache tokens per replica instead of the memory model's", intAtLeast(1))
    .option(
      "--predictor <form>",
      "kernel times: roofline (default) | calibrated:<predictor.json> (from `llmsim calibrate`) | table:<measurement files, comma-separated>",
    )
    .option(
      "--host-overhead-ms <ms>",
      "host (CPU) time added to every iteration: scheduling, input preparation, sampling (default 0)",
      positiveNumber(true),
    )
    .option(
      "--host-overhead-table <file>",
      "host time per iteration measured against batch size, per model and TP (Vidur's cpu_overheads.csv format)",
    )
    .option(
      "--prefill-ms <ms>",
      "constant whole-model prefill iteration time (DéjàVu style; with --decode-ms)",
      positiveNumber(),
    )
    .option("--decode-ms <ms>", "constant whole-model decode iteration time", positiveNumber())
    .option(
      "--requests <n>",
      "requests to simulate (default 1000, or every row of --trace-file)",
      intAtLeast(1),
    )
    .option(
      "--arrival <process>",
      `${ARRIVAL_KINDS.join(" | ")} (default poisson; burst: every request at time 0, maximum load)`,
      oneOf(ARRIVAL_KINDS),
    )
    .option("--rate <req/s>", "mean arrival rate, requests per second (default 10)", positiveNumber())
    .option("--cv <x>", "gamma arrivals: coefficient of variation of the gaps (default 2)", positiveNumber())
    .option(
      "--prompt-tokens <len>",
      "prompt lengths: N, lmsys or lognormal:MEDIAN:SIGMA[:MIN:MAX] (default lmsys)",
      lengthOption("prompt"),
    )
    .option("--output-tokens <len>", "output lengths, same forms (default lmsys)", lengthOption("output"))
    .option(
      "--trace-file <file>",
      "requests from a file: DéjàVu JSON [prompt, output] pairs, or CSV with token columns and optional arrived_at / arrival_time_ns",
    )
    .option("--seed <n>", "seed of the random generator (default 0)", intAtLeast(0))
    .option("--slo-ttft-ms <ms>", "TTFT target for goodput", positiveNumber())
    .option("--slo-tpot-ms <ms>", "TPOT target for goodput", positiveNumber())
    .option("--trace <file>", "write a Chrome/Perfetto trace (JSON, streamed)", outputFile(".json"))
    .option(
      "--metrics-csv <file>",
      "write one row per request (arrival_time_ns, ttft_ns, completion_time_ns, tokens, ...)",
      outputFile(".csv"),
    )
    .option("--cdf-chart <file>", "write the latency CDF chart (.svg or .png)", chartFile)
    .option(
      "--throughput-chart <file>",
      "write output tokens/s and completions/s over time (.svg or .png)",
      chartFile,
    )
    .option(
      "--timeline-chart <file>",
      "write the first 300 requests' queueing, prefill and decode (.svg or .png)",
      chartFile,
    )
    .option("--json", "print the summary as JSON")
    .action(async (options) => {
      // Option mistakes first, before any file is read.
      checkServeOptions(options);
      const registry = loadHardwareRegistry(options.hardwareFile ?? []);
      const model = loadModel(options.model ?? "meta-llama/Llama-3.1-8B");
      const predictor = options.predictor
        ? await loadPredictor(options.predictor, rooflinePredictor(), registry)
        : undefined;
      const hostOverheadTable = options.hostOverheadTable
        ? await readHostOverheadTable(options.hostOverheadTable)
        : undefined;
      const traceFile = options.traceFile;
      const setup = serveSetup(
        options,
        model,
        registry,
        () => serveRequests(options, traceFile ? readRequestTrace(traceFile) : undefined),
        { predictor, hostOverheadTable },
      );
      const { config, label, slo, scheduler } = setup;
      for (const warning of setup.warnings) process.stderr.write(`llmsim: warning: ${warning}\n`);
      const result = options.trace
        ? withStreamedFile(options.trace, (write) => {
            const sink = perfettoJsonSink(write);
            const run = simulateServing({ ...config, trace: sink });
            sink.end();
            return run;
          })
        : simulateServing(config);
      const summary = summarizeServing(result, slo);
      const outputs: [string, string | Uint8Array][] = [];
      if (options.metricsCsv) outputs.push([options.metricsCsv, requestMetricsCsv(result)]);
      const charts: [string | undefined, () => Record<string, unknown>][] = [
        [options.cdfChart, () => latencyCdfSpec(latencyCdfPoints(result, scheduler.kind), label)],
        [options.throughputChart, () => throughputChartSpec(throughputOverTime(result), label)],
        [options.timelineChart, () => requestTimelineSpec(requestSpans(result), label)],
      ];
      for (const [file, spec] of charts) {
        if (!file) continue;
        const svg = await vegaLiteToSvg(spec());
        outputs.push([file, file.toLowerCase().endsWith(".png") ? svgToPng(svg) : svg]);
      }
      writeFilesAtomically(outputs);
      if (options.json) process.stdout.write(renderJson(serveJson(setup, summary)));
      else process.stdout.write(renderSummary(summary, label));
    });
}
