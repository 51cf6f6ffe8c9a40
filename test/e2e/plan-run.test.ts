// runPlan (what the web app runs in a worker) against `llmsim plan` (a worker pool by default): the same
// JSON, byte for byte, and the same errors.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { reportIssues } from "../../src/cli/errors.ts";
import { renderJson } from "../../src/cli/format/table.ts";
import { planJson } from "../../src/cli/plan-view.ts";
import { loadWithSchema } from "../../src/config/load.ts";
import { planSpecFromParts } from "../../src/config/plan-request.ts";
import { type PlanScenario, planScenarioSchema } from "../../src/config/schema/plan.ts";
import { HardwareRegistry } from "../../src/core/hardware/catalog.ts";
import { InputError } from "../../src/core/issues.ts";
import { builtinModel } from "../../src/core/model/catalog.ts";
import { runPlan } from "../../src/core/plan/run.ts";

const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;
const llmsim = (args: string[]) => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

/** The spec from built-in names only, as a browser builds it (no file system). */
const specOf = (scenario: PlanScenario) => {
  const model = builtinModel(scenario.model);
  if (!model.ok) throw new Error(`no built-in ${scenario.model}`);
  return planSpecFromParts(scenario, { model: model.model, registry: new HardwareRegistry() });
};

describe("runPlan gives what `llmsim plan --json` prints", () => {
  it("the e2e question (Llama-3.1-8B on H100 + H200), on the CLI's thread pool and on one thread", () => {
    const scenario = planScenarioSchema.parse({
      model: "meta-llama/Llama-3.1-8B",
      hardware: ["H100", "H200"],
      gpus: 16,
      isl: 1000,
      osl: 200,
      ttftMs: 400,
      tpotMs: 12,
      recheck: 2,
      recheckRequests: 300,
    });
    const spec = specOf(scenario);
    const json = renderJson(planJson(spec, runPlan(spec)));
    const args = ["plan", "--model", "meta-llama/Llama-3.1-8B", "--hardware", "H100,H200", "--gpus", "16"];
    const flags = ["--isl", "1000", "--osl", "200", "--ttft-ms", "400", "--tpot-ms", "12"];
    const question = [...args, ...flags, "--recheck", "2", "--recheck-requests", "300", "--json"];
    for (const threads of [[], ["--threads", "1"], ["--threads", "2"]]) {
      const cli = llmsim([...question, ...threads]);
      expect(cli.code).toBe(0);
      expect(cli.stdout).toBe(json);
    }
    expect(JSON.parse(json).recommended.candidate.status).toBe("ok");
  });

  it("the README's question (examples/plan-deepseek-v3.yaml, 14.6 M configurations), one re-check", () => {
    const path = new URL("../../examples/plan-deepseek-v3.yaml", import.meta.url).pathname;
    const loaded = loadWithSchema(readFileSync(path, "utf8"), path, planScenarioSchema);
    if (!loaded.ok) throw new InputError(loaded.issues);
    const spec = specOf({ ...loaded.value, recheck: 1 });
    const result = runPlan(spec);
    const cli = llmsim(["plan", "--scenario", path, "--recheck", "1", "--json"]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toBe(renderJson(planJson(spec, result)));
    expect(result.spaceSize).toBe(14_646_660);
    expect(result.recommended?.candidate.description).toBe(
      JSON.parse(cli.stdout).recommended.candidate.description,
    );
  }, 120_000);

  it("a bad hardware name: the CLI's error lines are planSpecFromParts' issues", () => {
    const scenario = planScenarioSchema.parse({
      model: "meta-llama/Llama-3.1-8B",
      hardware: ["H1OO", "H100"],
      gpus: { H100: 4, B200: 2 },
      isl: 1000,
      osl: 200,
    });
    let lines = "";
    try {
      specOf(scenario);
      expect.unreachable();
    } catch (error) {
      reportIssues((error as InputError).issues, (text) => {
        lines += text;
      });
    }
    const cli = llmsim([
      "plan",
      "--model",
      "meta-llama/Llama-3.1-8B",
      "--hardware",
      "H1OO,H100",
      "--gpus",
      "H100=4,B200=2",
      "--isl",
      "1000",
      "--osl",
      "200",
    ]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toBe(lines);
    expect(lines).toMatch(/^llmsim: error: hardware: unknown accelerator "H1OO".*did you mean: H100/);
  });
});
