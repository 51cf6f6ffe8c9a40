import type { Command } from "@commander-js/extra-typings";
import { mergeSummaries } from "../../core/plan/summary.ts";
import { completeShardSet, readShardFile } from "../../io/plan-files.ts";
import { PlanRunner } from "../../io/plan-runner.ts";
import { threadCount } from "../../io/worker-pool.ts";
import { intAtLeast, outputFormat } from "../options.ts";
import { reportPlan } from "./plan.ts";

export function registerMerge(program: Command): void {
  program
    .command("merge")
    .description(
      "Combine the shard files of `llmsim plan --shard` into the single run's result: fronts, serving re-check, recommendation, chart",
    )
    .argument("<shards...>", "shard files (shard-0000-of-0008.json ...), every shard of one sweep")
    .option("--threads <n>", "worker threads for the serving re-checks (default: every core)", intAtLeast(1))
    .option("--chart <file>", "write the Pareto chart (.svg or .png)")
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
      const runner = new PlanRunner(threadCount(options.threads));
      try {
        await reportPlan(spec, summary, runner, options);
      } finally {
        await runner.close();
      }
    });
}
