import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csvParse } from "d3-dsv";
import { describe, expect, it } from "vitest";

const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;
const scenario = (name: string) => `examples/scenarios/configs/scenarios/${name}.yaml`;
const llmsim = (...args: string[]) => {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    cwd: new URL("../..", import.meta.url).pathname,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};
const dir = mkdtempSync(join(tmpdir(), "llmsim-playbooks-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const expectUsageError = (run: ReturnType<typeof llmsim>, ...needles: string[]) => {
  expect(run.code).toBe(2);
  for (const needle of needles) expect(run.stderr).toContain(needle);
  expect(run.stderr).not.toMatch(/\n\s+at /);
};

describe("the seed's commands", () => {
  it("llmsim afd simulate deepseek_v3_a100.yaml --batch 8 --seq 4096", () => {
    const run = llmsim("afd", "simulate", scenario("deepseek_v3_a100"), "--batch", "8", "--seq", "4096");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("on A100-80GB: decode, 8 sequences per attention GPU, context 4096");
    expect(run.stdout).toMatch(/│ 1:4 +│ +5 │/);
    // 61 BF16 layers of DeepSeek-V3 do not fit on one 8-GPU A100 node (no RDMA figure to go further).
    expect(run.stdout).toContain("No split fits in memory");
    expect(run.stdout).toContain("needs scaleOut.bandwidthGBps, which A100-80GB does not give");
  });

  it("llmsim large-ep evaluate deepseek_v3_a100.yaml --batch 4 --seq 8192", () => {
    const run = llmsim(
      "large-ep",
      "evaluate",
      scenario("deepseek_v3_a100"),
      "--batch",
      "4",
      "--seq",
      "8192",
      "--json",
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.rows.map((row: { ep: number }) => row.ep)).toEqual([8, 8, 8, 8]);
    expect(report.skipped.map((s: { ep: number }) => s.ep)).toEqual([
      16, 32, 64, 72, 128, 144, 256, 288, 320,
    ]);
  });
});

describe("the H800 example scenarios", () => {
  it("afd: the best split fits and is compared with the same GPUs co-located", () => {
    const run = llmsim(
      "afd",
      "simulate",
      scenario("deepseek_v3_h800_afd"),
      "--batch",
      "64",
      "--seq",
      "4096",
      "--json",
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.best.fits).toBe(true);
    expect(report.best.colocated.gpus).toBe(report.best.attentionGpus + report.best.ffnGpus);
    expect(report.candidates.length).toBe(49);
  });

  it("large-ep: EP up to 288 with 32 redundant experts, power-law imbalance, CSV", () => {
    const run = llmsim(
      "large-ep",
      "evaluate",
      scenario("deepseek_v3_h800_large_ep"),
      "--batch",
      "32",
      "--seq",
      "4096",
      "--redundant-experts",
      "32",
      "--imbalance",
      "power-law:0.8",
      "--csv",
    );
    expect(run.code).toBe(0);
    const rows = csvParse(run.stdout);
    expect([...new Set(rows.map((row) => Number(row.ep)))]).toEqual([8, 16, 32, 72, 144, 288]);
    expect(new Set(rows.map((row) => row.mode))).toEqual(new Set(["normal", "low-latency"]));
    expect(Number(rows.at(-1)?.imbalance_factor)).toBeGreaterThan(1);
  });
});

describe("catalog model and hardware instead of a scenario", () => {
  it("afd with --model, --hardware and mixed accelerators", () => {
    const run = llmsim(
      "afd",
      "simulate",
      "--model",
      "deepseek-ai/DeepSeek-V3",
      "--hardware",
      "H800",
      "--ffn-hardware",
      "H20",
      "--batch",
      "32",
      "--seq",
      "4096",
      "--attention-gpus",
      "16,32",
      "--ffn-gpus",
      "16",
      "--csv",
    );
    expect(run.code).toBe(0);
    const rows = csvParse(run.stdout);
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.link === "scale-out")).toBe(true);
  });

  it("large-ep with a histogram file", () => {
    const counts = Array.from({ length: 256 }, (_, i) => (i < 8 ? 400 : 100));
    const histogram = file("counts.txt", `# tokens per expert\n${counts.join("\n")}\n`);
    const run = llmsim(
      "large-ep",
      "evaluate",
      "--model",
      "deepseek-ai/DeepSeek-V3",
      "--hardware",
      "H800",
      "--batch",
      "16",
      "--seq",
      "2048",
      "--ep",
      "256",
      "--imbalance",
      `histogram:${histogram}`,
      "--json",
    );
    expect(run.code).toBe(0);
    // At EP 256 each rank holds one expert: max/mean = 400 / (8·400 + 248·100)/256 = 400/109.375.
    expect(JSON.parse(run.stdout).rows[0].imbalanceFactor).toBeCloseTo(400 / 109.375, 9);
  });
});

describe("bad input exits 2 without a stack trace", () => {
  it("--batch 0", () => {
    expectUsageError(
      llmsim("afd", "simulate", scenario("deepseek_v3_a100"), "--batch", "0", "--seq", "4096"),
      "--batch",
      ">= 1",
    );
    expectUsageError(
      llmsim("large-ep", "evaluate", scenario("deepseek_v3_a100"), "--batch", "0", "--seq", "8192"),
      "--batch",
    );
  });

  it("an EP that does not divide the experts", () => {
    expectUsageError(
      llmsim(
        "large-ep",
        "evaluate",
        "--model",
        "deepseek-ai/DeepSeek-V3",
        "--hardware",
        "H800",
        "--batch",
        "4",
        "--seq",
        "8192",
        "--ep",
        "48",
      ),
      "ep: EP 48 does not divide the 256 experts",
      "allowed: 2, 4, 8, 16, 32, 64, 128, 256",
    );
  });

  it("an unknown --imbalance form", () => {
    expectUsageError(
      llmsim(
        "large-ep",
        "evaluate",
        scenario("deepseek_v3_a100"),
        "--batch",
        "4",
        "--seq",
        "8192",
        "--imbalance",
        "zipf",
      ),
      'unknown form "zipf"',
      "allowed: uniform, power-law:<alpha>, histogram:<file>",
    );
  });

  it("a histogram with the wrong number of experts, or a negative count", () => {
    const args = [
      "large-ep",
      "evaluate",
      scenario("deepseek_v3_a100"),
      "--batch",
      "4",
      "--seq",
      "8192",
      "--imbalance",
    ];
    expectUsageError(
      llmsim(...args, `histogram:${file("short.txt", "1,2,3\n")}`),
      "3 per-expert token counts; the model has 256",
    );
    const negative = Array.from({ length: 256 }, (_, i) => (i === 7 ? -5 : 10));
    expectUsageError(
      llmsim(...args, `histogram:${file("neg.txt", negative.join(","))}`),
      "imbalance.histogram.7",
      ">= 0",
    );
  });

  it("hardware with zero bandwidth", () => {
    const hardware = file(
      "zero.yaml",
      "name: ZeroNet\ndenseTflops: { bf16: 990 }\nhbmGB: 80\nhbmBandwidthGBps: 3350\nscaleUp: { bandwidthGBps: 200, domainGpus: 8 }\nscaleOut: { bandwidthGBps: 0 }\n",
    );
    expectUsageError(
      llmsim(
        "afd",
        "simulate",
        "--model",
        "deepseek-ai/DeepSeek-V3",
        "--hardware",
        "ZeroNet",
        "--hardware-file",
        hardware,
        "--batch",
        "8",
        "--seq",
        "4096",
      ),
      "scaleOut.bandwidthGBps",
    );
  });

  it("neither a scenario nor --model", () => {
    expectUsageError(
      llmsim("afd", "simulate", "--hardware", "H800", "--batch", "8", "--seq", "4096"),
      "give a scenario file or --model",
    );
  });
});
