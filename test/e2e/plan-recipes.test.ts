import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = new URL("../../", import.meta.url).pathname;
const bin = join(root, "bin/llmsim.js");
const scenario = join(root, "examples/plan-deepseek-v3.yaml");

/** Runs an llmsim command line from a recipe with its paths moved to `out` and the example scenario. */
function runRecipe(args: readonly string[], env: Record<string, string>, out: string) {
  const remapped = args.map((arg) =>
    arg === "/config/plan.yaml" || arg === "examples/plan-deepseek-v3.yaml"
      ? scenario
      : arg.replace(/^\/?results/, out),
  );
  return spawnSync(process.execPath, [bin, ...remapped], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
}

describe("the sharding recipes in docs/plan", () => {
  it("the Kubernetes Indexed Job: completions = --shards, and its command writes that pod's shard", () => {
    const job = parse(readFileSync(join(root, "docs/plan/kubernetes-indexed-job.yaml"), "utf8"));
    expect(job.spec.completionMode).toBe("Indexed");
    const command: string[] = job.spec.template.spec.containers[0].command;
    expect(command[0]).toBe("llmsim");
    expect(command[command.indexOf("--shards") + 1]).toBe(String(job.spec.completions));
    const out = mkdtempSync(join(tmpdir(), "llmsim-k8s-"));
    const run = runRecipe(command.slice(1), { JOB_COMPLETION_INDEX: "7" }, out);
    expect(run.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["rows-shard-0007-of-0016.parquet", "shard-0007-of-0016.json"]);
  });

  it("the Slurm array script: the array size is the shard count read from Slurm's environment", () => {
    const script = readFileSync(join(root, "docs/plan/slurm-array.sh"), "utf8");
    const array = /#SBATCH --array=0-(\d+)/.exec(script);
    expect(array).not.toBeNull();
    const line = script.split("\n").find((l) => l.startsWith("npx llmsim plan")) as string;
    // The script's shell default for the thread count.
    const args = line
      .replace(/"\$\{SLURM_CPUS_PER_TASK:-2\}"/, "2")
      .split(/\s+/)
      .slice(2);
    const out = mkdtempSync(join(tmpdir(), "llmsim-slurm-"));
    const count = String(Number(array?.[1]) + 1);
    const run = runRecipe(
      args,
      { SLURM_ARRAY_TASK_ID: "15", SLURM_ARRAY_TASK_MIN: "0", SLURM_ARRAY_TASK_COUNT: count },
      out,
    );
    expect(run.status).toBe(0);
    expect(readdirSync(out)).toContain(`shard-0015-of-00${count}.json`);
  });
});
