import { writeFileSync } from "node:fs";
import type { Command } from "@commander-js/extra-typings";
import type { HardwareRegistry } from "../../core/hardware/catalog.ts";
import { hardwareSpecOf } from "../../core/hardware/resolve.ts";
import type { AcceleratorRecord } from "../../core/hardware/types.ts";
import { InputError } from "../../core/issues.ts";
import type { ParallelPlan } from "../../core/parallel/plan.ts";
import { latencyCdfPoints, latencyCdfSpec } from "../../core/report/latency-cdf.ts";
import { constantArrivalsSec, gammaArrivalsSec, poissonArrivalsSec } from "../../core/sim/arrivals.ts";
import { Mt19937 } from "../../core/sim/mt19937.ts";
import {
  type LengthDistribution,
  LMSYS_LIKE,
  type RequestSet,
  synthesizeRequests,
} from "../../core/sim/requests.ts";
import { enginePool, kvTransferBetween } from "../../core/sim/serve/deployment.ts";
import { simulateServing } from "../../core/sim/serve/engine.ts";
import {
  type LatencyStats,
  requestMetricsCsv,
  type ServeSummary,
  summarizeServing,
} from "../../core/sim/serve/metrics.ts";
import {
  type PoolConfig,
  ROUTER_KINDS,
  SCHEDULER_KINDS,
  type ServeConfig,
} from "../../core/sim/serve/types.ts";
import { perfettoJsonSink } from "../../core/trace/perfetto.ts";
import { loadHardwareRegistry } from "../../io/hardware.ts";
import { loadModel } from "../../io/model.ts";
import { svgToPng, vegaLiteToSvg } from "../../io/render-chart.ts";
import { readRequestTrace } from "../../io/request-trace.ts";
import { withStreamedFile } from "../../io/stream-file.ts";
import { fixed } from "../format/numbers.ts";
import { renderJson, renderTable } from "../format/table.ts";
import { dtype, fraction, intAtLeast, lengthOption, oneOf, positiveNumber } from "../options.ts";

const ARRIVALS = ["poisson", "gamma", "constant"] as const;

function resolveAccelerator(registry: HardwareRegistry, name: string, flag: string): AcceleratorRecord {
  const resolved = registry.resolve(name, [flag]);
  if (!resolved.ok) throw new InputError(resolved.issues);
  return resolved.record;
}

interface WorkloadOptions {
  traceFile?: string;
  requests?: number;
  arrival?: (typeof ARRIVALS)[number];
  rate?: number;
  cv?: number;
  promptTokens?: LengthDistribution;
  outputTokens?: LengthDistribution;
  seed?: number;
}

/** The requests: a trace file (its arrivals, or generated ones) or synthetic lengths and arrivals. */
function buildRequests(options: WorkloadOptions): RequestSet {
  const random = new Mt19937(options.seed ?? 0);
  const rate = options.rate ?? 10;
  const arrivalsFor = (count: number) => {
    const kind = options.arrival ?? "poisson";
    if (kind === "constant") return constantArrivalsSec(count, rate);
    if (kind === "gamma") return gammaArrivalsSec(count, rate, options.cv ?? 2, random);
    return poissonArrivalsSec(count, rate, random);
  };
  if (options.traceFile) {
    const trace = readRequestTrace(options.traceFile);
    const count = Math.min(options.requests ?? trace.promptTokens.length, trace.promptTokens.length);
    const fromTrace =
      trace.arrivalSec !== null && options.arrival === undefined && options.rate === undefined;
    return {
      arrivalSec: fromTrace ? (trace.arrivalSec as Float64Array).slice(0, count) : arrivalsFor(count),
      promptTokens: trace.promptTokens.slice(0, count),
      outputTokens: trace.outputTokens.slice(0, count),
    };
  }
  const count = options.requests ?? 1000;
  return synthesizeRequests(
    arrivalsFor(count),
    options.promptTokens ?? LMSYS_LIKE.prompt,
    options.outputTokens ?? LMSYS_LIKE.output,
    random,
  );
}

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
    .option("--kv-dtype <dtype>", "KV-cache format (default bf16)", dtype)
    .option("--activation-dtype <dtype>", "activation format (default bf16)", dtype)
    .option(
      "--memory-utilization <f>",
      "fraction of HBM for weights, activations and KV cache (default 0.9)",
      fraction,
    )
    .option("--kv-tokens <n>", "KV-cache tokens per replica instead of the memory model's", intAtLeast(1))
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
    .option("--arrival <process>", `${ARRIVALS.join(" | ")} (default poisson)`, oneOf(ARRIVALS))
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
    .option("--trace <file>", "write a Chrome/Perfetto trace (JSON, streamed)")
    .option(
      "--metrics-csv <file>",
      "write one row per request (arrival_time_ns, ttft_ns, completion_time_ns, tokens, ...)",
    )
    .option("--cdf-chart <file>", "write the latency CDF chart (.svg or .png)")
    .option("--json", "print the summary as JSON")
    .action(async (options) => {
      const disaggregated = options.prefillReplicas !== undefined || options.decodeReplicas !== undefined;
      if (disaggregated && (options.prefillReplicas === undefined || options.decodeReplicas === undefined)) {
        throw new InputError([
          {
            code: "missing-field",
            path: ["--prefill-replicas"],
            message: "disaggregation needs both --prefill-replicas and --decode-replicas",
          },
        ]);
      }
      if (disaggregated && options.replicas !== undefined) {
        throw new InputError([
          {
            code: "invalid-value",
            path: ["--replicas"],
            message:
              "--replicas is for aggregated serving; with disaggregation give --prefill-replicas and --decode-replicas",
          },
        ]);
      }
      if ((options.prefillMs === undefined) !== (options.decodeMs === undefined)) {
        throw new InputError([
          {
            code: "missing-field",
            path: [options.prefillMs === undefined ? "--prefill-ms" : "--decode-ms"],
            message: "constant step times need both --prefill-ms and --decode-ms",
          },
        ]);
      }
      const registry = loadHardwareRegistry(options.hardwareFile ?? []);
      const model = loadModel(options.model ?? "meta-llama/Llama-3.1-8B");
      const hardwareName = options.hardware ?? "H100";
      const scheduler = {
        kind: options.scheduler ?? "continuous",
        maxBatchedTokens: options.maxBatchedTokens ?? 8192,
        maxSeqs: options.maxSeqs ?? 256,
      } as const;
      const base: Partial<ParallelPlan> = {
        tp: options.tp ?? 1,
        pp: options.pp ?? 1,
        dp: options.dp ?? 1,
        ep: options.ep ?? 1,
      };
      const dtypes = {
        ...(options.weightDtype ? { weight: options.weightDtype, expertWeight: options.weightDtype } : {}),
        ...(options.kvDtype ? { kvCache: options.kvDtype } : {}),
        ...(options.activationDtype ? { activation: options.activationDtype } : {}),
      };
      const common = {
        model,
        scheduler,
        dtypes,
        ...(options.memoryUtilization !== undefined ? { memoryUtilization: options.memoryUtilization } : {}),
        ...(options.kvTokens !== undefined ? { kvCapacityTokens: options.kvTokens } : {}),
        ...(options.prefillMs !== undefined && options.decodeMs !== undefined
          ? { constantStepMs: { prefillMs: options.prefillMs, decodeMs: options.decodeMs } }
          : {}),
      };
      let pools: PoolConfig[];
      let kvTransfer: ServeConfig["kvTransfer"];
      if (disaggregated) {
        const prefillRecord = resolveAccelerator(
          registry,
          options.prefillHardware ?? hardwareName,
          "--prefill-hardware",
        );
        const decodeRecord = resolveAccelerator(
          registry,
          options.decodeHardware ?? hardwareName,
          "--decode-hardware",
        );
        const prefillParallel = { ...base, tp: options.prefillTp ?? base.tp ?? 1 };
        const decodeParallel = { ...base, tp: options.decodeTp ?? base.tp ?? 1 };
        const prefillHardware = hardwareSpecOf(prefillRecord);
        const decodeHardware = hardwareSpecOf(decodeRecord);
        pools = [
          enginePool({
            ...common,
            name: "prefill",
            role: "prefill",
            hardware: prefillHardware,
            parallel: prefillParallel,
            replicas: options.prefillReplicas as number,
          }),
          enginePool({
            ...common,
            name: "decode",
            role: "decode",
            hardware: decodeHardware,
            parallel: decodeParallel,
            replicas: options.decodeReplicas as number,
          }),
        ];
        const latencyUs =
          options.kvLinkLatencyUs ??
          Math.max(prefillRecord.scaleOut?.latencyUs ?? 0, decodeRecord.scaleOut?.latencyUs ?? 0);
        kvTransfer = kvTransferBetween({
          model,
          prefillHardware,
          decodeHardware,
          prefillParallel,
          decodeParallel,
          dtypes,
          latencySec: latencyUs / 1e6,
          ...(options.kvLinkGbps !== undefined ? { bandwidthBytesPerSec: options.kvLinkGbps * 1e9 } : {}),
        });
      } else {
        const hardware = hardwareSpecOf(resolveAccelerator(registry, hardwareName, "--hardware"));
        pools = [
          enginePool({
            ...common,
            name: "replicas",
            role: "both",
            hardware,
            parallel: base,
            replicas: options.replicas ?? 1,
          }),
        ];
      }
      const requests = buildRequests(options);
      const slo = {
        ...(options.sloTtftMs !== undefined ? { ttftMs: options.sloTtftMs } : {}),
        ...(options.sloTpotMs !== undefined ? { tpotMs: options.sloTpotMs } : {}),
      };
      const config: ServeConfig = {
        requests,
        pools,
        router: options.router ?? "least-outstanding",
        ...(kvTransfer ? { kvTransfer } : {}),
      };
      const result = options.trace
        ? withStreamedFile(options.trace, (write) => {
            const sink = perfettoJsonSink(write);
            const run = simulateServing({ ...config, trace: sink });
            sink.end();
            return run;
          })
        : simulateServing(config);
      const summary = summarizeServing(result, slo);
      if (options.metricsCsv) writeFileSync(options.metricsCsv, requestMetricsCsv(result));
      const label = disaggregated
        ? `${model.id}: ${options.prefillReplicas} prefill + ${options.decodeReplicas} decode replicas, ${scheduler.kind} batching`
        : `${model.id} on ${options.replicas ?? 1} x ${pools[0]?.gpusPerReplica} ${hardwareName}, ${scheduler.kind} batching`;
      if (options.cdfChart) {
        const svg = await vegaLiteToSvg(latencyCdfSpec(latencyCdfPoints(result, scheduler.kind), label));
        writeFileSync(
          options.cdfChart,
          options.cdfChart.toLowerCase().endsWith(".png") ? svgToPng(svg) : svg,
        );
      }
      if (options.json) {
        const kvTokensPerReplica = Object.fromEntries(
          pools.map((pool) => [pool.name, pool.kvCapacityTokens]),
        );
        process.stdout.write(
          renderJson({ ...summary, kvTokensPerReplica, ...(kvTransfer ? { kvTransfer } : {}) }),
        );
      } else process.stdout.write(renderSummary(summary, label));
    });
}
