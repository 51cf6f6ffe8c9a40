import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csvParse } from "d3-dsv";
import { describe, expect, it } from "vitest";

const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;
const example = new URL("../../examples/scenarios/configs/scenarios/deepseek_v3_a100.yaml", import.meta.url)
  .pathname;

/** Runs the built CLI (npm test builds first). */
function llmsim(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const expectCleanUsageError = (run: ReturnType<typeof llmsim>, pattern: RegExp) => {
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stdout).toBe("");
};

function scenarioDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "llmsim-e2e-seed-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return join(dir, Object.keys(files)[0] as string);
}

describe("llmsim simulate", () => {
  it("walks the 61 DeepSeek-V3 layers of the example (table)", () => {
    const run = llmsim("simulate", example, "--batch", "8", "--seq", "4096");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("on A100-80GB: decode 8 sequences at context 4096");
    expect(run.stdout).toContain("moe_layer 57");
    expect(run.stdout).toMatch(/total latency [\d.]+ ms/);
    expect(run.stderr).toMatch(/head_dim 56 is not used by MLA/);
  });

  it("--json is LLMSimulator's SimulationResult; totals add up", () => {
    const run = llmsim("simulate", example, "--batch", "8", "--seq", "4096", "--phase", "prefill", "--json");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.layers).toHaveLength(61);
    const layer = result.layers[0];
    for (const key of [
      "layer_name",
      "layer_type",
      "flops",
      "bytes_read",
      "bytes_written",
      "compute_time_ms",
      "memory_time_ms",
      "dominant_latency_ms",
      "estimated_execution_time_ms",
    ])
      expect(layer).toHaveProperty(key);
    // The dense layer at 8 x 4096 prefill: see src/core/scenario/simulate.test.ts for the derivation.
    expect(layer.flops).toBe(43_738_873_200_640);
    const sum = (key: string) =>
      result.layers.reduce((s: number, l: Record<string, number>) => s + (l[key] ?? 0), 0);
    expect(result.total_flops).toBe(sum("flops"));
    expect(result.total_latency_ms).toBeCloseTo(sum("estimated_execution_time_ms"), 9);
    expect(result.peak_memory_bytes).toBeGreaterThan(0);
    expect(result.layers.map((l: { layer_name: string }) => l.layer_name)).toContain(result.bottleneck_layer);
  });

  it("--csv writes one row per layer", () => {
    const run = llmsim("simulate", example, "--batch", "8", "--seq", "4096", "--csv");
    expect(run.code).toBe(0);
    const rows = csvParse(run.stdout);
    expect(rows).toHaveLength(61);
    expect(rows.columns.slice(0, 2)).toEqual(["layer_name", "layer_type"]);
    expect(rows[3]?.layer_type).toBe("moe_layer");
  });

  it("exits 2 with file:line:column for bad input, without a stack trace", () => {
    const hardware =
      "name: x\npeak_tflops: 1\nmemory_bandwidth_gbps: 0\nhbm_gb: 1\ninterconnect_gbps: 1\nmax_concurrency: 1\noverlap_efficiency: 1\n";
    const badType = scenarioDir({
      "s.yaml": "hardware: hw.yaml\nlayers:\n  - type: mlp_layer\n    config: x.yaml\n",
      "hw.yaml": hardware,
    });
    expectCleanUsageError(
      llmsim("simulate", badType, "--batch", "1", "--seq", "1"),
      /s\.yaml:3:11: layers\.0\.type: must be one of "ffn_layer", "moe_layer", "comm_layer"/,
    );
    const zero = scenarioDir({
      "s.yaml": "hardware: hw.yaml\nlayers:\n  - type: ffn_layer\n    config: x.yaml\n",
      "hw.yaml": hardware,
    });
    const run = llmsim("simulate", zero, "--batch", "1", "--seq", "1");
    expectCleanUsageError(run, /hw\.yaml:3:24: memory_bandwidth_gbps: /);
    expect(run.stderr).toMatch(/s\.yaml:4:13: layers\.0\.config: file not found/);
    expectCleanUsageError(
      llmsim("simulate", "/nonexistent/s.yaml", "--batch", "1", "--seq", "1"),
      /file not found/,
    );
    expectCleanUsageError(llmsim("simulate", example, "--batch", "1"), /--seq/);
    expectCleanUsageError(
      llmsim("simulate", example, "--batch", "1", "--seq", "1", "--phase", "mixed"),
      /allowed: decode, prefill/,
    );
  });
});

describe("llmsim ops", () => {
  it("lists each distinct fused kernel of a scenario with its formula", () => {
    const run = llmsim("ops", example, "--batch", "8", "--seq", "4096");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("ffn_layer 0 (and 2 more layers with the same ops)");
    expect(run.stdout).toContain("moe_layer 0 (and 57 more layers with the same ops)");
    expect(run.stdout).toMatch(/mlp_up: 2·T·H·2I\/TP \(gate\+up\)/);
    expect(run.stdout).toContain("FLOP/B");
  });

  it("--json and --csv carry FLOPs, bytes, intensity, bound and formula per op", () => {
    const json = JSON.parse(
      llmsim("ops", example, "--batch", "8", "--seq", "4096", "--phase", "prefill", "--json").stdout,
    );
    expect(json.blocks.map((b: { layers: string[] }) => b.layers.length)).toEqual([3, 58]);
    const up = json.blocks[0].ops.find((op: { name: string }) => op.name === "mlp_up");
    expect(up.flops).toBe(2 * 8 * 4096 * 7168 * 2 * 18432);
    expect(up.arithmeticIntensity).toBeCloseTo(up.flops / (up.bytesRead + up.bytesWritten), 9);
    expect(up.bound).toBe("compute");
    const rows = csvParse(llmsim("ops", example, "--batch", "8", "--seq", "4096", "--csv").stdout);
    expect(rows.columns).toEqual(
      expect.arrayContaining(["block", "op", "flops", "arithmeticIntensity", "bound", "formula"]),
    );
    expect(rows.filter((row) => row.block === "ffn_layer 0").length).toBeGreaterThan(5);
  });

  it("takes `llmsim step` flags instead of a scenario", () => {
    const run = llmsim(
      "ops",
      "--model",
      "meta-llama/Llama-3.1-8B",
      "--hardware",
      "H100",
      "--batch",
      "4",
      "--seq",
      "1024",
      "--json",
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.blocks.map((b: { name: string }) => b.name)).toEqual(["embedding", "layer 0", "lm_head"]);
    expect(json.blocks[1].layers).toHaveLength(32);
  });

  it("exits 2 when a scenario is mixed with step flags or lacks --batch/--seq", () => {
    expectCleanUsageError(
      llmsim("ops", example, "--model", "x", "--batch", "1", "--seq", "1"),
      /--model: the scenario file names/,
    );
    expectCleanUsageError(llmsim("ops", example), /--batch: is required with a scenario file/);
    expectCleanUsageError(
      llmsim("ops", example, "--batch", "1", "--seq", "1", "--phase", "mixed"),
      /--phase/,
    );
  });
});
