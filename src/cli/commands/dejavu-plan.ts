import type { Command } from "@commander-js/extra-typings";
import { hardwareSpecOf } from "../../core/hardware/resolve.ts";
import { InputError } from "../../core/issues.ts";
import { engineTables } from "../../core/sim/dejavu/engine-tables.ts";
import { dejavuPlanCsv, dejavuPlanJson } from "../../core/sim/dejavu/plan-output.ts";
import {
  DEJAVU_MACHINE_COUNTS,
  DEJAVU_MODEL_MEMORY,
  DEJAVU_PLAN_ENTRIES,
  dejavuPlanRunner,
  dejavuPlanTasks,
  dejavuTables,
  type PlannerInput,
  type PlannerTables,
  type PlanRow,
  selectDejavuPlan,
} from "../../core/sim/dejavu/planner.ts";
import { dejavuTokenCounts } from "../../core/sim/dejavu/trace-input.ts";
import { ownEntry } from "../../core/text/own-entry.ts";
import { writeFilesAtomically } from "../../io/files.ts";
import { loadHardwareRegistry } from "../../io/hardware.ts";
import { loadModel } from "../../io/model.ts";
import { readModelTimings } from "../../io/model-info.ts";
import { readTokenTrace } from "../../io/token-trace.ts";
import { balance, runOnWorkers, threadCount } from "../../io/worker-pool.ts";
import { fixed } from "../format/numbers.ts";
import { renderTable } from "../format/table.ts";
import { intAtLeast, intList, MAX_THREADS, oneOf, outputFile, positiveNumber } from "../options.ts";

/**
 * Upstream names the JSON by cutting the CSV name at its first "." ("a.b.csv" -> "a.json"); the cut
 * applies to the file name only, so "./out.csv" gives "./out.json" and "d.x/out.csv" "d.x/out.json"
 * (upstream would write ".json" and "d.json").
 */
export function planJsonPath(csvPath: string): string {
  const slash = Math.max(csvPath.lastIndexOf("/"), csvPath.lastIndexOf("\\"));
  const directory = csvPath.slice(0, slash + 1);
  const name = csvPath.slice(slash + 1).split(".")[0] || "plan";
  return `${directory}${name}.json`;
}

/** Makespans of every task, on worker threads when there is more than one. */
async function runTasks(
  input: PlannerInput,
  threads: number,
): Promise<{ tasks: ReturnType<typeof dejavuPlanTasks>; makespans: Float64Array }> {
  const tasks = dejavuPlanTasks(input);
  if (threads <= 1 || tasks.length < 2) {
    const run = dejavuPlanRunner(input);
    return { tasks, makespans: Float64Array.from(tasks, run) };
  }
  const parts = balance(
    tasks.map((task) => task.cost),
    threads,
  );
  const makespans = await runOnWorkers(
    new URL("../../io/workers/dejavu-plan-worker.js", import.meta.url),
    input,
    parts,
    tasks.length,
  );
  return { tasks, makespans };
}

function renderPlan(rows: readonly PlanRow[]): string {
  const s = (x: number | undefined) => (x === undefined ? "-" : fixed(x, 1));
  return renderTable(
    [
      "machines",
      "Baseline (s)",
      "config",
      "Baseline-DP (s)",
      "config",
      "DV (s)",
      "config",
      "cost B / DP / DV ($)",
    ],
    rows.map((row) => [
      row.machines,
      s(row.baseline?.totalTimeSec),
      row.baseline ? `bs ${row.baseline.bs}` : "-",
      s(row.baselineDp?.totalTimeSec),
      row.baselineDp ? `dp ${row.baselineDp.dp} pp ${row.baselineDp.pp} bs ${row.baselineDp.bs}` : "-",
      s(row.dv?.totalTimeSec),
      row.dv ? `pm ${row.dv.pm} tm ${row.dv.tm} bs ${row.dv.bs}` : "-",
      [row.baseline?.cost, row.baselineDp?.cost, row.dv?.cost]
        .map((c) => (c === undefined ? "-" : fixed(c, 2)))
        .join(" / "),
    ]),
  );
}

export function registerDejavuPlan(dejavu: Command): void {
  dejavu
    .command("plan")
    .description(
      "DéjàVu's planner simulation (Figures 17-19): best pipeline, data-parallel and prompt/token split per machine count",
    )
    .option(
      "--trace_file <file>",
      "trace: JSON list of [prompt_size, num_generated_tokens] (first 256 entries used)",
    )
    .option("--config_file <file>", "model_info.json: batch_sizes and measurements_per_bs per model")
    .option(
      "--model <name>",
      `model, a key of the file and of the planner's memory table (${Object.keys(DEJAVU_MODEL_MEMORY).join(", ")})`,
    )
    .option(
      "--rps <float>",
      "arrival rate of groups of microbatches per second; 0 = all at t = 0",
      positiveNumber(true),
      0,
    )
    .option("--mem_per_machine <GB>", "memory per machine, GB", intAtLeast(1), 80)
    .option(
      "--machine_cost <$/h>",
      "cost per machine-hour (default 0; llmsim physics: the catalog's GPU price x GPUs per machine)",
      positiveNumber(true),
    )
    .option(
      "--output_csv <file>",
      "write the CSV here, and the JSON next to it (file name cut at its first '.', as upstream)",
      outputFile(".csv"),
    )
    .option("--threads <n>", "worker threads (default: every core; 1 = none)", intAtLeast(1, MAX_THREADS))
    .option(
      "--physics <source>",
      "dejavu (model_info.json and the planner's memory table, default) | llmsim (the engine)",
      oneOf(["dejavu", "llmsim"] as const),
    )
    .option("--hardware <name>", "llmsim physics: accelerator of each machine")
    .option("--hardware-file <files...>", "llmsim physics: YAML/JSON files with extra accelerators")
    .option(
      "--gpus_per_machine <n>",
      "llmsim physics: GPUs per machine, tensor-parallel within a stage (default 1)",
      intAtLeast(1),
    )
    .option(
      "--kv_link_gbps <GB/s>",
      "llmsim physics: KV-cache streaming bandwidth per machine (default: catalog NIC x GPUs)",
      positiveNumber(),
    )
    .option(
      "--batch_sizes <list>",
      "llmsim physics: batch sizes, the last the largest (default 8,16,32,64)",
      intList(1),
    )
    .action(async (options) => {
      const physics = options.physics ?? "dejavu";
      const required =
        physics === "dejavu"
          ? (["trace_file", "config_file", "model"] as const)
          : (["trace_file", "model", "hardware"] as const);
      const missing = required.filter((key) => !options[key]);
      if (missing.length > 0) {
        throw new InputError(
          missing.map((key) => ({
            code: "missing-field",
            path: [`--${key}`],
            message: `is required${physics === "llmsim" ? " with --physics llmsim" : ""}`,
          })),
        );
      }
      // The engine's options would be ignored by DéjàVu's own physics: say so.
      const engineOnly = (
        [
          ["hardware", "--hardware"],
          ["hardwareFile", "--hardware-file"],
          ["gpus_per_machine", "--gpus_per_machine"],
          ["kv_link_gbps", "--kv_link_gbps"],
          ["batch_sizes", "--batch_sizes"],
        ] as const
      ).find(([key]) => physics === "dejavu" && options[key] !== undefined);
      if (engineOnly)
        throw new InputError([
          {
            code: "invalid-value",
            path: [engineOnly[1]],
            message: `${engineOnly[1]} is for --physics llmsim; DéjàVu's physics reads --config_file`,
          },
        ]);
      const tokens = dejavuTokenCounts(readTokenTrace(options.trace_file as string), DEJAVU_PLAN_ENTRIES);
      const largestMachines = Math.max(...DEJAVU_MACHINE_COUNTS);
      if (tokens.length < largestMachines) {
        throw new InputError([
          {
            code: "invalid-value",
            path: [],
            file: options.trace_file as string,
            message: `the trace has ${tokens.length} entries; planning up to ${largestMachines} machines needs at least ${largestMachines}`,
          },
        ]);
      }
      let tables: PlannerTables;
      let machineCost = options.machine_cost ?? 0;
      if (physics === "dejavu") {
        const model = options.model as string;
        const memory = ownEntry(DEJAVU_MODEL_MEMORY, model);
        if (!memory) {
          throw new InputError([
            {
              code: "unknown-id",
              path: ["--model"],
              message: `the planner has no weight and KV sizes for "${model}"`,
              allowed: Object.keys(DEJAVU_MODEL_MEMORY),
            },
          ]);
        }
        tables = dejavuTables(readModelTimings(options.config_file as string, model), {
          ...memory,
          memPerMachineGB: options.mem_per_machine,
        });
      } else {
        const resolved = loadHardwareRegistry(options.hardwareFile ?? []).resolve(
          options.hardware as string,
          ["--hardware"],
        );
        if (!resolved.ok) throw new InputError(resolved.issues);
        const hardware = hardwareSpecOf(resolved.record);
        const gpusPerMachine = options.gpus_per_machine ?? 1;
        if (options.machine_cost === undefined && hardware.priceUsdPerGpuHour !== undefined)
          machineCost = hardware.priceUsdPerGpuHour * gpusPerMachine;
        let tokenSum = 0;
        for (const t of tokens) tokenSum += t;
        tables = engineTables({
          model: loadModel(options.model as string),
          hardware,
          gpusPerMachine,
          batchSizes: options.batch_sizes ?? [8, 16, 32, 64],
          meanGeneratedTokens: tokenSum / tokens.length,
          maxStages: largestMachines,
          ...(options.kv_link_gbps !== undefined ? { linkBytesPerSec: options.kv_link_gbps * 1e9 } : {}),
        });
      }
      const input: PlannerInput = { tokens, tables, machineCostPerHour: machineCost, rps: options.rps };
      const { tasks, makespans } = await runTasks(input, threadCount(options.threads));
      const rows = selectDejavuPlan(input, tasks, makespans);
      if (options.output_csv) {
        writeFilesAtomically([
          [options.output_csv, dejavuPlanCsv(rows)],
          [planJsonPath(options.output_csv), dejavuPlanJson(rows)],
        ]);
      }
      process.stdout.write(`${renderPlan(rows)}\n`);
    });
}
