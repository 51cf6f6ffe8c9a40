import type { Command } from "@commander-js/extra-typings";
import { InputError } from "../../core/issues.ts";
import {
  dejavuStdout,
  dejavuSummary,
  dejavuTraceWriter,
  MAX_TRACED_STAGES,
} from "../../core/sim/dejavu/report.ts";
import {
  type DejavuTraceEvent,
  dejavuBaseline,
  dejavuDisaggregated,
} from "../../core/sim/dejavu/simulators.ts";
import { dejavuTokenCounts } from "../../core/sim/dejavu/trace-input.ts";
import { withStreamedFile } from "../../io/stream-file.ts";
import { readTokenTrace } from "../../io/token-trace.ts";
import { intAtLeast, outputFile, positiveNumber } from "../options.ts";
import { registerDejavuPlan } from "./dejavu-plan.ts";
import { registerDejavuPlot } from "./dejavu-plot.ts";

interface CommonOptions {
  rps: number;
  prompt_time: number;
  token_time: number;
  trace_file?: string;
  do_traces?: true;
  trace_out?: string;
  json?: true;
  jsFloats?: true;
}

/** The microbatches of the trace (first 512, tokens clamped to [2, 1000]), checked against the pipeline size. */
function loadMicrobatches(options: CommonOptions, stages: number, what: string): Int32Array {
  if (!options.trace_file) {
    throw new InputError([
      {
        code: "missing-field",
        path: ["--trace_file"],
        message: "a trace file is required (JSON list of [prompt_size, num_generated_tokens])",
      },
    ]);
  }
  const tokens = dejavuTokenCounts(readTokenTrace(options.trace_file));
  if (tokens.length < stages) {
    throw new InputError([
      {
        code: "invalid-value",
        path: [],
        file: options.trace_file,
        message: `the trace has ${tokens.length} entries but ${what} needs at least ${stages} (one microbatch per stage)`,
      },
    ]);
  }
  return tokens;
}

function checkTraceable(options: CommonOptions, stages: number, flag: string): void {
  if (options.do_traces && stages > MAX_TRACED_STAGES) {
    throw new InputError([
      {
        code: "invalid-value",
        path: [flag],
        message: `--do_traces draws at most ${MAX_TRACED_STAGES} stages per pipeline (DéjàVu's colour palette), got ${stages}`,
      },
    ]);
  }
}

function addCommonOptions(command: Command) {
  return command
    .option(
      "--rps <float>",
      "arrival rate of groups of microbatches per second; 0 = all at t = 0",
      positiveNumber(true),
      0,
    )
    .option("--prompt_time <ms>", "prompt pass, ms per microbatch per stage", positiveNumber(true), 1)
    .option("--token_time <ms>", "one decode step, ms per microbatch per stage", positiveNumber(true), 1)
    .option(
      "--trace_file <file>",
      "trace: JSON list of [prompt_size, num_generated_tokens]; each entry is a microbatch",
    )
    .option("--do_traces", "write the Chrome trace (upstream file name, in the working directory)")
    .option(
      "--trace_out <file>",
      "with --do_traces: write the Chrome trace here instead",
      outputFile(".json"),
    )
    .option("--json", "print the metrics as JSON instead of upstream's lines")
    .option("--js-floats", "print numbers as JavaScript does instead of Python's repr");
}

/** Runs a simulation with or without the streamed Chrome trace. */
function simulate<T>(
  options: CommonOptions,
  defaultPath: string,
  labels: string[],
  run: (onEvent?: (e: DejavuTraceEvent) => void) => T,
): T {
  if (!options.do_traces) return run();
  return withStreamedFile(options.trace_out ?? defaultPath, (write) => {
    const trace = dejavuTraceWriter(labels, write);
    const result = run((event) => trace.event(event));
    trace.end();
    return result;
  });
}

function print(
  options: CommonOptions,
  kind: "baseline" | "dv",
  parameters: Record<string, number>,
  summary: ReturnType<typeof dejavuSummary>,
): void {
  if (options.json) {
    // The DV simulator has no early-stop counter.
    const { earlyStops, ...common } = summary;
    const body =
      kind === "baseline"
        ? { simulator: kind, parameters, ...common, earlyStops }
        : { simulator: kind, parameters, ...common };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else process.stdout.write(dejavuStdout(summary, kind, !options.jsFloats));
}

export function registerDejavu(program: Command): void {
  const dejavu = program
    .command("dejavu")
    .description(
      "DéjàVu's serving simulators, exactly (seed 002): pipelined baseline and prompt/token disaggregation",
    );
  registerDejavuPlan(dejavu);
  registerDejavuPlot(dejavu);

  addCommonOptions(
    dejavu
      .command("baseline")
      .description(
        "FasterTransformer-style pipeline of N machines: each trace entry a microbatch, strict cyclic order",
      ),
  )
    .option("--num_machines <n>", "pipeline stages N", intAtLeast(1), 1)
    .action((options) => {
      const machines = options.num_machines;
      checkTraceable(options, machines, "--num_machines");
      const tokens = loadMicrobatches(options, machines, `a ${machines}-stage pipeline`);
      const labels = Array.from({ length: machines }, (_, i) => `Stage ${i}`);
      const result = simulate(options, "baseline_trace.json", labels, (onEvent) =>
        dejavuBaseline({
          tokens,
          rps: options.rps,
          machines,
          promptMs: options.prompt_time,
          tokenMs: options.token_time,
          ...(onEvent ? { onEvent } : {}),
        }),
      );
      const parameters = {
        rps: options.rps,
        num_machines: machines,
        prompt_time: options.prompt_time,
        token_time: options.token_time,
      };
      print(options, "baseline", parameters, dejavuSummary(result));
    });

  addCommonOptions(
    dejavu
      .command("dv")
      .description(
        "DéjàVu's disaggregation: A prompt machines stream KV caches to a B-machine token pipeline",
      ),
  )
    .option("--num_prompt_machines <n>", "prompt stages A", intAtLeast(1), 1)
    .option("--num_token_machines <n>", "token stages B", intAtLeast(1), 1)
    .option(
      "--cache_time <ms>",
      "KV-cache transfer, ms per microbatch per prompt stage",
      positiveNumber(true),
      1,
    )
    .action((options) => {
      const a = options.num_prompt_machines;
      const b = options.num_token_machines;
      checkTraceable(options, a, "--num_prompt_machines");
      checkTraceable(options, b, "--num_token_machines");
      const tokens = loadMicrobatches(options, b, `a ${b}-stage token pipeline`);
      const labels = [
        ...Array.from({ length: a }, (_, i) => `Prompt Pipeline, Stage ${i}`),
        ...Array.from({ length: b }, (_, i) => `Token Pipeline, Stage ${i}`),
      ];
      const result = simulate(options, "dv_trace.json", labels, (onEvent) =>
        dejavuDisaggregated({
          tokens,
          rps: options.rps,
          promptMachines: a,
          tokenMachines: b,
          promptMs: options.prompt_time,
          tokenMs: options.token_time,
          cacheMs: options.cache_time,
          ...(onEvent ? { onEvent } : {}),
        }),
      );
      const parameters = {
        rps: options.rps,
        num_prompt_machines: a,
        num_token_machines: b,
        prompt_time: options.prompt_time,
        token_time: options.token_time,
        cache_time: options.cache_time,
      };
      print(options, "dv", parameters, dejavuSummary(result));
    });
}
