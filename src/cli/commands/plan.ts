import { existsSync, mkdirSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { type Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { gpuBudgetValue } from "../../config/flag-values.ts";
import { loadWithSchema, mergedScenarioIssues } from "../../config/load.ts";
import { type PlanScenario, planScenarioSchema } from "../../config/schema/plan.ts";
import { MAX_SERVE_REQUESTS } from "../../config/serve-request.ts";
import { ALL_REDUCE_IMPLEMENTATIONS } from "../../core/collectives/custom-all-reduce.ts";
import { DTYPES } from "../../core/dtype.ts";
import { InputError } from "../../core/issues.ts";
import { type PlanResult, recheckPicks } from "../../core/plan/recommend.ts";
import { planResult, planSpaceOf, runPlan } from "../../core/plan/run.ts";
import { specHash } from "../../core/plan/space.ts";
import { allReduceFallbackNotes, type PlanSpec } from "../../core/plan/spec.ts";
import type { PlanSummary } from "../../core/plan/summary.ts";
import type { Shard } from "../../core/plan/sweep.ts";
import { type PortablePredictor, predictorOf } from "../../core/predictor/portable.ts";
import { paretoChartSpec } from "../../core/report/pareto-chart.ts";
import { OVERLAP_POLICIES } from "../../core/step/overlap.ts";
import { localConfigPath, readText, resolveFrom, writeFilesAtomically } from "../../io/files.ts";
import { loadHardwareRegistry } from "../../io/hardware.ts";
import { SHARD_KIND, SHARD_SCHEMA_VERSION, type ShardFile, shardFileName } from "../../io/plan-files.ts";
import { planSpecFromScenario } from "../../io/plan-input.ts";
import { RowsWriter } from "../../io/plan-rows.ts";
import { PlanRunner } from "../../io/plan-runner.ts";
import { loadPredictorSource, portablePredictor, predictorWithPathsFrom } from "../../io/predictor.ts";
import { svgToPng, vegaLiteToSvg } from "../../io/render-chart.ts";
import { threadCount } from "../../io/worker-pool.ts";
import { EXIT_USAGE } from "../errors.ts";
import { renderJson } from "../format/table.ts";
import {
  chartFile,
  commander,
  fraction,
  intAtLeast,
  intList,
  lengthOption,
  MAX_THREADS,
  nameList,
  oneOf,
  outputFileName,
  outputFormat,
  positiveNumber,
} from "../options.ts";
import { planCsv, planJson, renderPlanReport } from "../plan-view.ts";
import { progressReporter } from "../progress.ts";

const TOOL = "llmsim 0.1.0";

/** "64" (a total) or "H800=32,H20=64" (the most of each; the total is their sum). */
function gpusOption(value: string): number | Record<string, number> {
  return commander(() => gpuBudgetValue(value));
}

/** Repeatable NAME=USD ($ per GPU-hour). */
function priceOption(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const match = /^\s*([^=\s]+)\s*=\s*([^\s]+)\s*$/.exec(value);
  const price = match ? Number(match[2]) : Number.NaN;
  if (!match || !Number.isFinite(price) || price < 0)
    throw new InvalidArgumentError("expected NAME=USD per GPU-hour, e.g. H800=2.0.");
  return { ...previous, [match[1] as string]: price };
}

/** A length flag, checked, kept in the scenario's text form (the scenario file takes the same). */
const lengthText = (which: "prompt" | "output") => (value: string) => {
  lengthOption(which)(value);
  return value.trim();
};

const listOf =
  <T extends string>(allowed: readonly T[]) =>
  (value: string): T[] =>
    nameList(value).map((item) => oneOf(allowed)(item));

/** `--shard I/N`, or `auto`: the index from a batch scheduler's environment, the count from --shards or Slurm. */
export function parseShard(value: string, shards: number | undefined, env: NodeJS.ProcessEnv): Shard {
  if (value === "auto") {
    const slurmId = env.SLURM_ARRAY_TASK_ID;
    const raw = env.JOB_COMPLETION_INDEX ?? slurmId ?? env.AWS_BATCH_JOB_ARRAY_INDEX;
    if (raw === undefined)
      throw new InputError([
        {
          code: "missing-field",
          path: ["--shard"],
          message:
            "auto needs JOB_COMPLETION_INDEX (Kubernetes Indexed Job), SLURM_ARRAY_TASK_ID or AWS_BATCH_JOB_ARRAY_INDEX in the environment",
        },
      ]);
    const offset =
      raw === slurmId && env.JOB_COMPLETION_INDEX === undefined ? Number(env.SLURM_ARRAY_TASK_MIN ?? 0) : 0;
    const count =
      shards ?? (env.SLURM_ARRAY_TASK_COUNT !== undefined ? Number(env.SLURM_ARRAY_TASK_COUNT) : undefined);
    if (count === undefined)
      throw new InputError([
        {
          code: "missing-field",
          path: ["--shards"],
          message:
            "--shard auto needs the shard count (--shards N; Slurm's SLURM_ARRAY_TASK_COUNT is read when set)",
        },
      ]);
    return checkedShard(Number(raw) - offset, count, `${raw} of ${count}`);
  }
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!match)
    throw new InputError([
      {
        code: "invalid-value",
        path: ["--shard"],
        message: `expected I/N (e.g. 0/8) or auto, got "${value}"`,
      },
    ]);
  return checkedShard(Number(match[1]), Number(match[2]), value);
}

function checkedShard(index: number, count: number, text: string): Shard {
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 0 && index < count))
    throw new InputError([
      {
        code: "invalid-value",
        path: ["--shard"],
        message: `shard ${text}: the index must be 0..N-1 and N >= 1`,
      },
    ]);
  return { index, count };
}

/** Scenario keys that flags set (flags override the file). */
const FLAG_KEYS = [
  "model",
  "hardware",
  "aggregatedHardware",
  "prefillHardware",
  "decodeHardware",
  "gpus",
  "isl",
  "osl",
  "traceFile",
  "rate",
  "ttftMs",
  "tpotMs",
  "percentile",
  "priceFile",
  "objective",
  "modes",
  "tp",
  "pp",
  "dp",
  "experts",
  "overlap",
  "batch",
  "kvDtype",
  "prefillReplicas",
  "decodeReplicas",
  "weightDtype",
  "activationDtype",
  "memoryUtilization",
  "allReduce",
  "maxBatchedTokens",
  "hostOverheadMs",
  "kvLinkGBps",
  "kvLinkLatencyUs",
  "recheck",
  "recheckRequests",
  "recheckLoad",
  "seed",
] as const;

/** The scenario: the file's fields with flags over them; flag paths are made absolute (file paths stay relative to the file). */
function scenarioFrom(options: Record<string, unknown>): {
  scenario: PlanScenario;
  file: string | undefined;
} {
  const file = options.scenario as string | undefined;
  let merged: Record<string, unknown> = {};
  if (file) {
    const parsed = loadWithSchema(readText(file, "scenario"), file, planScenarioSchema.partial());
    if (!parsed.ok) throw new InputError(parsed.issues);
    merged = { ...parsed.value };
  }
  for (const key of FLAG_KEYS) if (options[key] !== undefined) merged[key] = options[key];
  for (const key of ["traceFile", "priceFile"] as const)
    if (options[key] !== undefined) merged[key] = resolveFrom(undefined, options[key] as string);
  if (options.predictor !== undefined)
    merged.predictor = predictorWithPathsFrom(options.predictor as string, undefined);
  // A config.json flag is named as typed (as step and serve name it); with a scenario file, whose
  // paths are relative to the file, it is made absolute so it still names the file meant.
  if (options.model !== undefined)
    merged.model = file ? (localConfigPath(options.model as string) ?? options.model) : options.model;
  if (options.hardwareFile !== undefined)
    merged.hardwareFile = [
      ...((merged.hardwareFile as string[] | undefined) ?? []),
      ...(options.hardwareFile as string[]).map((f) => resolveFrom(undefined, f)),
    ];
  if (options.price !== undefined)
    merged.prices = { ...(merged.prices as object | undefined), ...(options.price as object) };
  const checked = planScenarioSchema.safeParse(merged);
  if (!checked.success)
    throw new InputError(mergedScenarioIssues(checked.error, file, merged, planScenarioSchema));
  return { scenario: checked.data, file };
}

/**
 * The spec with the predictor `value` names (paths resolved), as plain data for every thread; the
 * spec records its name and the digest of its data, so shards planned with other data never
 * merge. `field` names the value in errors (the flag, or the scenario file's field).
 */
export async function withPredictor(
  spec: PlanSpec,
  value: string | undefined,
  hardwareFiles: readonly string[],
  field = "--predictor",
): Promise<{ spec: PlanSpec; predictor: PortablePredictor | undefined }> {
  if (value === undefined) return { spec, predictor: undefined };
  const registry = loadHardwareRegistry(hardwareFiles);
  const source = await loadPredictorSource(value, registry, field);
  if (!source) return { spec, predictor: undefined };
  const { digest, ...predictor } = portablePredictor(
    source,
    registry,
    spec.hardware.map((h) => h.name),
  );
  return { spec: { ...spec, predictor: { name: source.name, digest } }, predictor };
}

export interface ReportOptions {
  readonly json?: boolean;
  readonly csv?: boolean;
  readonly chart?: string;
}

/**
 * Re-checks the best candidates of a whole sweep's summary with the serving simulator on the
 * runner's threads, picks the recommendation (as `runPlan` does in one thread) and writes the
 * outputs (shared by `plan` and `merge`, so a merge prints what the single run prints).
 */
export async function reportPlan(
  spec: PlanSpec,
  summary: PlanSummary,
  runner: PlanRunner,
  options: ReportOptions,
  timing?: { seconds: number; threads: number },
): Promise<void> {
  const rechecks = await runner.rechecks(spec, recheckPicks(spec, summary));
  await writePlanReport(spec, planResult(spec, summary, rechecks), options, timing);
}

/**
 * Writes a plan's outputs: the table, JSON or CSV on stdout and the chart. Exit code 2 when
 * nothing meets the targets (the closest configurations are printed; no chart is written).
 */
async function writePlanReport(
  spec: PlanSpec,
  result: PlanResult,
  options: ReportOptions,
  timing?: { seconds: number; threads: number },
): Promise<void> {
  const format = outputFormat(options);
  const summary = result.summary;
  for (const note of allReduceFallbackNotes(spec)) process.stderr.write(`llmsim: warning: ${note}\n`);
  if (options.chart && result.recommended) {
    const title = `${spec.model.id}: ${spec.hardware.map((h) => h.name).join(", ")}, ${spec.budget.gpus} GPUs`;
    const svg = await vegaLiteToSvg(
      paretoChartSpec(summary.groups, result.recommended.candidate, spec.slo.tpotMs, title),
    );
    writeFilesAtomically([
      [options.chart, options.chart.toLowerCase().endsWith(".png") ? svgToPng(svg) : svg],
    ]);
  }
  if (format === "json") process.stdout.write(renderJson(planJson(spec, result)));
  else if (format === "csv") process.stdout.write(planCsv(result));
  else process.stdout.write(renderPlanReport(spec, result, timing));
  if (!result.recommended) {
    process.stderr.write(`llmsim: error: ${result.noneMeets}\n`);
    process.exitCode = EXIT_USAGE;
  }
}

/** rows.parquet -> dir/rows-shard-0003-of-0008.parquet */
function shardRowsPath(rows: string, dir: string, shard: Shard): string {
  const extension = extname(rows);
  return join(
    dir,
    `${basename(rows, extension)}-${shardFileName(shard.index, shard.count, extension.slice(1) || "csv")}`,
  );
}

export function registerPlan(program: Command): void {
  program
    .command("plan")
    .description(
      "Deployment planner: search aggregated and prefill/decode-disaggregated deployments for a model, GPUs, workload and targets; Pareto front, cost, serving re-check and a recommendation",
    )
    .option(
      "--scenario <file>",
      "YAML/JSON file with the same fields as these flags (flags override it; see schemas/plan-scenario.schema.json)",
    )
    .option("--model <id|config.json>", "Hugging Face id of a built-in model, or a path to a config.json")
    .option(
      "--hardware <names>",
      "accelerators the deployment may use, comma-separated (a mixed fleet when several)",
      nameList,
    )
    .option("--hardware-file <files...>", "YAML/JSON files with extra accelerators and clusters")
    .option("--aggregated-hardware <names>", "hardware for aggregated replicas (default: all)", nameList)
    .option("--prefill-hardware <names>", "hardware for prefill replicas (default: all)", nameList)
    .option("--decode-hardware <names>", "hardware for decode replicas (default: all)", nameList)
    .option(
      "--gpus <budget>",
      "GPU budget: a total (64) or the most of each hardware (H800=32,H20=64)",
      gpusOption,
    )
    .option(
      "--isl <len>",
      "prompt lengths: N, lmsys or lognormal:MEDIAN:SIGMA[:MIN:MAX] (default lmsys)",
      lengthText("prompt"),
    )
    .option("--osl <len>", "output lengths, same forms (default lmsys)", lengthText("output"))
    .option(
      "--trace-file <file>",
      "request lengths (and arrivals) from a trace: DéjàVu JSON or CSV with token columns",
    )
    .option(
      "--rate <rps>",
      "requests/s the deployment must sustain (default: a trace's own rate, else all the budget gives)",
      positiveNumber(),
    )
    .option("--ttft-ms <ms>", "time-to-first-token target", positiveNumber())
    .option("--tpot-ms <ms>", "time-per-output-token target", positiveNumber())
    .option(
      "--percentile <p>",
      "percentile the serving re-check compares with the targets: 50, 90 or 99 (default 90)",
      (v) => Number(oneOf(["50", "90", "99"] as const)(v)),
    )
    .option(
      "--price <name=usd>",
      "$ per GPU-hour for a hardware, repeatable (overrides the catalog)",
      priceOption,
    )
    .option("--price-file <file>", "CSV (hardware,usd_per_gpu_hour) or YAML/JSON map of $ per GPU-hour")
    .option(
      "--objective <goal>",
      "cost | throughput (default cost when every hardware has a price)",
      oneOf(["cost", "throughput"] as const),
    )
    .option(
      "--modes <list>",
      "aggregated,disaggregated (default both)",
      listOf(["aggregated", "disaggregated"] as const),
    )
    .option("--tp <list>", "tensor-parallel sizes (default 1,2,4,8)", intList(1))
    .option("--pp <list>", "pipeline stages (default 1)", intList(1))
    .option(
      "--dp <list>",
      "attention data-parallel groups per stage, MoE models (default 1,2,4,... up to the budget)",
      intList(1),
    )
    .option(
      "--experts <list>",
      "MoE expert layouts: tp (sharded) and/or ep (expert-parallel over tp x dp) (default both)",
      listOf(["tp", "ep"] as const),
    )
    .option(
      "--overlap <list>",
      `overlap policies (${OVERLAP_POLICIES.join(", ")}; default none, plus two-micro-batch for MoE)`,
      listOf(OVERLAP_POLICIES),
    )
    .option("--batch <list>", "decode sequences per attention-DP group (default 1,2,4,...,512)", intList(1))
    .option("--kv-dtype <list>", "KV-cache formats (default: the activation format, bf16)", listOf(DTYPES))
    .option("--prefill-replicas <list>", "prefill replicas of an xPyD unit (default 1,2,3,4)", intList(1))
    .option("--decode-replicas <list>", "decode replicas of an xPyD unit (default 1-8)", intList(1))
    .option("--weight-dtype <dtype>", "weight format (default: the checkpoint's)", oneOf(DTYPES))
    .option("--activation-dtype <dtype>", "activation format (default bf16)", oneOf(DTYPES))
    .option("--memory-utilization <f>", "usable fraction of HBM (default 0.9)", fraction)
    .option(
      "--all-reduce <kernels>",
      "TP all-reduce: nccl | custom (the framework's one-shot kernel inside one NVLink domain; default nccl)",
      oneOf(ALL_REDUCE_IMPLEMENTATIONS),
    )
    .option(
      "--max-batched-tokens <n>",
      "prompt tokens an attention-DP group prefills per iteration (default 8192)",
      intAtLeast(1),
    )
    .option(
      "--host-overhead-ms <ms>",
      "host (CPU) time added to every iteration's pipeline stage, analytic and re-checked (default 0)",
      positiveNumber(true),
    )
    .option(
      "--kv-link-gbps <GBps>",
      "KV hand-off bandwidth per GPU (default: the catalog NICs)",
      positiveNumber(),
    )
    .option(
      "--kv-link-latency-us <us>",
      "KV hand-off latency (default: the catalog's scale-out latency)",
      positiveNumber(true),
    )
    .option(
      "--recheck <n>",
      "best configurations re-checked with the serving simulator (default 5; 0 = none)",
      intAtLeast(0),
    )
    .option(
      "--recheck-requests <n>",
      "requests per re-check, at least (default 2000)",
      intAtLeast(1, MAX_SERVE_REQUESTS),
    )
    .option(
      "--recheck-load <f>",
      "re-check load as a fraction of capacity when no rate is given (default 0.8)",
      fraction,
    )
    .option("--seed <n>", "seed of the re-check's arrivals and lengths (default 0)", intAtLeast(0))
    .option(
      "--predictor <form>",
      "kernel times of the sweep and the re-checks: roofline (default) | calibrated:<predictor.json> | table:<measurement files, comma-separated>",
    )
    .option("--threads <n>", "worker threads (default: every core; 1 = none)", intAtLeast(1, MAX_THREADS))
    .option(
      "--shard <I/N|auto>",
      "evaluate shard I of N (indices = I mod N) and write a partial result for `llmsim merge`",
    )
    .option(
      "--shards <n>",
      "shard count for --shard auto (Kubernetes Indexed Jobs; Slurm's count is read from the environment)",
      intAtLeast(1),
    )
    .option("--out <dir>", "directory for the shard file (default .)")
    .option(
      "--rows <file>",
      "write every configuration's figures (.parquet or .csv; per shard with --shard, into --out)",
      outputFileName(".parquet", ".csv"),
    )
    .option("--chart <file>", "write the Pareto chart (.svg or .png)", chartFile)
    .option("--json", "machine-readable JSON on stdout")
    .option("--csv", "the Pareto fronts as CSV on stdout")
    .action(async (options) => {
      outputFormat(options);
      const { scenario, file } = scenarioFrom(options as Record<string, unknown>);
      const { spec, predictor } = await withPredictor(
        planSpecFromScenario(scenario, file),
        scenario.predictor === undefined ? undefined : predictorWithPathsFrom(scenario.predictor, file),
        (scenario.hardwareFile ?? []).map((f) => resolveFrom(file, f)),
        options.predictor === undefined ? "predictor" : "--predictor",
      );
      const space = planSpaceOf(spec);
      const shard = options.shard
        ? parseShard(options.shard, options.shards, process.env)
        : { index: 0, count: 1 };
      const threads = threadCount(options.threads);
      const runner = new PlanRunner(threads, predictor);
      const hash = specHash(spec);
      const outDir = options.out ?? ".";
      if (options.shard) mkdirSync(outDir, { recursive: true });
      else if (options.rows && !existsSync(dirname(options.rows)))
        throw new InputError([
          {
            code: "unwritable",
            path: ["--rows"],
            message: `the directory ${dirname(options.rows)} does not exist`,
          },
        ]);
      const rows = options.rows
        ? new RowsWriter(options.shard ? shardRowsPath(options.rows, outDir, shard) : options.rows)
        : undefined;
      const progress = progressReporter(options.shard ? `plan shard ${shard.index}/${shard.count}` : "plan");
      try {
        const start = performance.now();
        if (!options.shard && threads === 1) {
          // The whole space in this thread: the web app's runPlan, with the CLI's progress, rows and timing.
          let seconds = 0;
          const result = runPlan(spec, {
            ...(predictor ? { predictor: predictorOf(predictor) } : {}),
            progress: progress.update,
            swept: () => {
              progress.done();
              seconds = (performance.now() - start) / 1000;
            },
            ...(rows ? { rows: (table) => rows.write(table) } : {}),
          });
          await writePlanReport(spec, result, options, { seconds, threads });
        } else {
          const summary = await runner.sweep(spec, hash, space.size(), {
            shard,
            ...(rows ? { rows } : {}),
            progress: progress.update,
          });
          progress.done();
          const seconds = (performance.now() - start) / 1000;
          if (options.shard) {
            const shardFile: ShardFile = {
              kind: SHARD_KIND,
              schemaVersion: SHARD_SCHEMA_VERSION,
              tool: TOOL,
              specHash: hash,
              shard: shard.index,
              shards: shard.count,
              spaceSize: space.size(),
              spec,
              summary,
            };
            const path = join(outDir, shardFileName(shard.index, shard.count));
            writeFilesAtomically([[path, `${JSON.stringify(shardFile)}\n`]]);
            rows?.commit();
            process.stdout.write(
              `shard ${shard.index} of ${shard.count}: ${summary.evaluated.toLocaleString("en-US")} configurations in ${seconds.toFixed(2)} s (${summary.counts.ok.toLocaleString("en-US")} meet every target) -> ${path}${rows ? ` and ${rows.path}` : ""}\n`,
            );
            return;
          }
          await reportPlan(spec, summary, runner, options, { seconds, threads });
        }
        if (process.exitCode === EXIT_USAGE) rows?.abort();
        else rows?.commit();
      } catch (error) {
        progress.done();
        rows?.abort();
        throw error;
      } finally {
        await runner.close();
      }
    });
}
