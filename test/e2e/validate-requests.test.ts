import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;
const llmsim = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), "llmsim-validate-requests-"));
const deployment = ["--model", "meta-llama/Llama-3.1-8B", "--hardware", "H100"];

describe("llmsim validate-requests", () => {
  // No per-request measurement ships with the repository, so the "measured" run here is one of
  // llmsim serve's own runs: replaying it must reproduce it, and another accelerator must not.
  const measured = join(dir, "run.csv");
  const serve = llmsim([
    "serve",
    ...deployment,
    "--requests",
    "200",
    "--rate",
    "8",
    "--metrics-csv",
    measured,
  ]);
  it("replays a run's arrivals and lengths: the same deployment gives the same distributions", () => {
    expect(serve.code, serve.stderr).toBe(0);
    const r = llmsim(["validate-requests", "--measured", measured, ...deployment, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const { comparison } = JSON.parse(r.stdout);
    for (const c of comparison) {
      // The CSV keeps nanoseconds: ties may split by one request (KS 1/200).
      expect(c.ks, c.metric).toBeLessThanOrEqual(1 / 200 + 1e-12);
      expect(Math.abs(c.p50ErrorPct), c.metric).toBeLessThan(0.01);
    }
    expect(comparison.map((c: { definition: string }) => c.definition).join("\n")).toMatch(
      /queueing and prefill included.*not ITL/s,
    );
  }, 60_000);
  it("a slower accelerator shows in the percentiles, the KS distance and the CDF chart", () => {
    const chart = join(dir, "cdf.svg");
    const onA100 = [
      ...["validate-requests", "--measured", measured],
      ...["--model", "meta-llama/Llama-3.1-8B", "--hardware", "A100"],
    ];
    const r = llmsim([...onA100, "--chart", chart]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/TPOT +│ measured/);
    expect(readFileSync(chart, "utf8")).toContain("<svg");
    const json = JSON.parse(llmsim([...onA100, "--json"]).stdout);
    const tpot = json.comparison.find((c: { metric: string }) => c.metric === "tpot");
    expect(tpot.ks).toBeGreaterThan(0.5);
    expect(tpot.p50ErrorPct).toBeGreaterThan(20);
  }, 60_000);
  it("replays a run served with host overhead and FP8 activations only with the same settings", () => {
    const options = ["--host-overhead-ms", "1", "--activation-dtype", "fp8"];
    const run = join(dir, "run-overhead.csv");
    const served = llmsim([
      ...["serve", ...deployment, ...options],
      ...["--requests", "200", "--rate", "8", "--metrics-csv", run],
    ]);
    expect(served.code, served.stderr).toBe(0);
    const tpotOf = (args: string[]) => {
      const r = llmsim(["validate-requests", "--measured", run, ...deployment, ...args, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).comparison.find((c: { metric: string }) => c.metric === "tpot");
    };
    expect(Math.abs(tpotOf(options).p50ErrorPct)).toBeLessThan(0.01);
    // Without the host's millisecond per iteration the replay decodes faster than the run did.
    expect(tpotOf(["--activation-dtype", "fp8"]).p50ErrorPct).toBeLessThan(-5);
  }, 60_000);
  it("takes the deployment from a --scenario file, flags overriding it", () => {
    const scenario = join(dir, "deployment.yaml");
    writeFileSync(scenario, "model: meta-llama/Llama-3.1-8B\nhardware: H100\n");
    const same = JSON.parse(
      llmsim(["validate-requests", "--measured", measured, "--scenario", scenario, "--json"]).stdout,
    );
    expect(same.comparison.every((c: { ks: number }) => c.ks <= 1 / 200 + 1e-12)).toBe(true);
    const other = JSON.parse(
      llmsim([
        "validate-requests",
        "--measured",
        measured,
        "--scenario",
        scenario,
        "--hardware",
        "A100",
        "--json",
      ]).stdout,
    );
    expect(other.comparison.find((c: { metric: string }) => c.metric === "tpot").ks).toBeGreaterThan(0.5);
    writeFileSync(scenario, "model: meta-llama/Llama-3.1-8B\nhardwar: H100\n");
    const bad = llmsim(["validate-requests", "--measured", measured, "--scenario", scenario]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/deployment\.yaml:2:\d+: unknown field\(s\) "hardwar"/);
  }, 60_000);
  it("a run without timings exits 2 naming the missing columns", () => {
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "arrival_time_ns,input_tokens,output_tokens\n0,10,5\n");
    const r = llmsim(["validate-requests", "--measured", bad, ...deployment]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv:1:1: ttft_ns: missing column "ttft_ns"/);
    expect(r.stderr).toMatch(/completion_time_ns: missing column/);
  });
});

describe("measured runs out of arrival order", () => {
  it("keep each request's lengths with its timings", async () => {
    const { readMeasuredRun } = await import("../../src/io/measured-run.ts");
    const file = join(dir, "shuffled.csv");
    // Rows arrive at 2 s, 0 s, 1 s.
    writeFileSync(
      file,
      "arrival_time_ns,ttft_ns,completion_time_ns,input_tokens,output_tokens\n2000000000,10,2000000100,100,50\n0,20,200,1000,2\n1000000000,30,1000000300,10,300\n",
    );
    const run = readMeasuredRun(file);
    expect(Array.from(run.times.arrivalSec)).toEqual([0, 1, 2]);
    expect(Array.from(run.promptTokens)).toEqual([1000, 10, 100]);
    expect(Array.from(run.times.outputTokens)).toEqual([2, 300, 50]);
    expect(run.times.firstTokenSec[1]).toBeCloseTo(1 + 30e-9, 12);
  });
});
