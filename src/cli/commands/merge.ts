import type { Command } from "@commander-js/extra-typings";
import { InputError } from "../../core/issues.ts";
import type { PlanSpec } from "../../core/plan/spec.ts";
import { mergeSummaries } from "../../core/plan/summary.ts";
import type { PortablePredictor } from "../../core/predictor/portable.ts";
import { completeShardSet, readShardFile } from "../../io/plan-files.ts";
import { PlanRunner } from "../../io/plan-runner.ts";
import { predictorWithPathsFrom } from "../../io/predictor.ts";
import { threadCount } from "../../io/worker-pool.ts";
import { chartFile, intAtLeast, MAX_THREADS, outputFormat } from "../options.ts";
import { reportPlan, withPredictor } from "./plan.ts";

/**
 * The predictor the shards' spec names, from `value` (the same kernel data: its digest must match,
 * whatever the files are called); undefined when the shards were planned on the roofline. Throws
 * InputError on a mismatch.
 */
async function shardsPredictor(
  spec: PlanSpec,
  value: string | undefined,
  hardwareFiles: readonly string[],
): Promise<PortablePredictor | undefined> {
  const planned = spec.predictor;
  const given = value === undefined ? undefined : predictorWithPathsFrom(value, undefined);
  const { spec: withGiven, predictor } = await withPredictor(spec, given, hardwareFiles);
  const loaded = predictor ? withGiven.predictor : undefined;
  const same = planned === undefined ? loaded === undefined : loaded?.digest === planned.digest;
  if (same) return predictor;
  const plannedWith = planned ? `${planned.name} (data ${planned.digest})` : "the roofline";
  const mergingWith = loaded ? `${loaded.name} (data ${loaded.digest})` : "the roofline";
  throw new InputError([
    {
      code: "invalid-value",
      path: ["--predictor"],
      message: `the shards were planned with ${plannedWith}, not ${mergingWith}: give --predictor the same data (and --hardware-file the same accelerators)${planned ? "" : ", or leave it out"}`,
    },
  ]);
}

export function registerMerge(program: Command): void {
  program
    .command("merge")
    .description(
      "Combine the shard files of `llmsim plan --shard` into the single run's result: fronts, serving re-check, recommendation, chart",
    )
    .argument("<shards...>", "shard files (shard-0000-of-0008.json ...), every shard of one sweep")
    .option(
      "--threads <n>",
      "worker threads for the serving re-checks (default: every core)",
      intAtLeast(1, MAX_THREADS),
    )
    .option(
      "--predictor <form>",
      "the kernel data the shards were planned with (calibrated:<file> or table:<files>), for the re-checks",
    )
    .option(
      "--hardware-file <files...>",
      "YAML/JSON files with extra accelerators the predictor's data names",
    )
    .option("--chart <file>", "write the Pareto chart (.svg or .png)", chartFile)
    .option("--json", "machine-readable JSON on stdout")
    .option("--csv", "the Pareto fronts as CSV on stdout")
    .action(async (paths, options) => {
      outputFormat(options);
      const shards = completeShardSet(paths.map((path) => ({ path, shard: readShardFile(path) })));
      const spec = (shards[0] as (typeof shards)[number]).spec;
      const summary = mergeSummaries(
        spec,
        shards.map((s) => s.summary),
      );
      const predictor = await shardsPredictor(spec, options.predictor, options.hardwareFile ?? []);
      const runner = new PlanRunner(threadCount(options.threads), predictor);
      try {
        await reportPlan(spec, summary, runner, options);
      } finally {
        await runner.close();
      }
    });
}
