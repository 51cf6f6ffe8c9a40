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
const dir = mkdtempSync(join(tmpdir(), "llmsim-validate-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

interface Slice {
  slice: string;
  n: number;
  coverage: number;
  medianAbsPct: number;
}

/**
 * CI thresholds: today's median |error| per suite and level with the default roofline
 * (README, "Validation"), plus a margin, so a regression fails the build. The issue's targets
 * are anchors/kernel <= 10% (met) and anchors/system <= 15% (missed: 27.9% today, see docs/validation.md);
 * TensorRT-LLM's 97 further published serving runs are at 17.9% (Hopper FP8 10.2%, Blackwell FP4 41.8%),
 * the balanced-routing DeepSeek prefills at 33.6%. The three held-out kernel anchors are at 10.4%
 * (K-DEEPEP-N32D −10.4% since normal-mode all-to-alls carry their FP8 scales on the wire, which the
 * busbw metric had counted while the op did not, a +3% artifact).
 */
const THRESHOLDS: Record<string, number> = {
  "anchors/kernel": 10,
  "anchors/kernel/held-out": 12,
  "anchors/system": 32,
  "trtllm-perf-overview/system": 21,
  "deepseek-ep-prefill/system": 40,
  "vidur-a100/kernel": 7,
  "vidur-h100/kernel": 22,
  "vidur-a40/kernel": 14,
  "aiconfigurator-h100-gemm/kernel": 60,
  "aiconfigurator-h100-moe/kernel": 13,
  // DeepEP's normal combine costs 30-48 µs at small sizes, more than the fixed cost the roofline
  // charges (the dispatch's 25.9 µs); the sampled shapes are mostly small (17.7% today).
  "aiconfigurator-h100-deepep/kernel": 21,
  // MLA's decode BMMs are a few µs of fixed cost at most sizes, which the roofline (no per-kernel
  // overhead) does not charge (75.0% today, always too fast).
  "aiconfigurator-h100-mla-bmm/kernel": 78,
  // Per group, so a regression in one model and format cannot hide in the suite's median.
  "trtllm-llama-3.1-8b-fp8": 19,
  "trtllm-llama-3.3-70b-fp8": 12,
  "trtllm-llama-3.1-405b-fp8": 10,
  "trtllm-llama-3.3-70b-fp4": 65,
  "trtllm-llama-3.1-405b-fp4": 38,
};

describe("llmsim validate on the shipped suites", () => {
  const run = llmsim(["validate", "--json"]);
  const result = JSON.parse(run.stdout) as {
    cases: { id: string; predicted: number | null; errorPct: number | null }[];
    summary: { levels: Slice[]; suiteLevels: Slice[]; calibrationSplits: Slice[]; groups: Slice[] };
  };
  it("expresses every case (coverage 100%), all 14 anchors included", () => {
    expect(run.code, run.stderr).toBe(0);
    for (const level of result.summary.levels) expect(level.coverage, level.slice).toBe(1);
    const anchors = result.summary.suiteLevels.filter((s) => s.slice.startsWith("anchors/"));
    expect(anchors.reduce((n, s) => n + s.n, 0)).toBe(14);
    const moe = result.cases.find((c) => c.id.startsWith("aiconfigurator-h100-moe:"));
    expect(moe?.predicted).toBeGreaterThan(0);
    for (const id of ["K-DEEPEP-N32D", "K-FMLA-02", "K-DGEMM-M4096N7168K16384", "S-SGL-07"])
      expect(result.cases.find((c) => c.id === id)?.predicted).toBeGreaterThan(0);
  });
  for (const [slice, limit] of Object.entries(THRESHOLDS))
    it(`${slice} median |error| stays <= ${limit}%`, () => {
      const found = [
        ...result.summary.suiteLevels,
        ...result.summary.calibrationSplits,
        ...result.summary.groups,
      ].find((s) => s.slice === slice);
      expect(found, slice).toBeDefined();
      expect(found?.medianAbsPct).toBeLessThanOrEqual(limit);
    });
  it("--level-max fails the run (exit 1) when a slice is over its limit, and names unknown slices (exit 2)", () => {
    const over = llmsim(["validate", "validation/anchors.yaml", "--level-max", "anchors/system=1"]);
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/anchors\/system level median \|error\| \d+\.\d% is over the limit 1%/);
    const unknown = llmsim(["validate", "validation/anchors.yaml", "--level-max", "nope/kernel=5"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /no slice "nope\/kernel" in these suites.*kernel, system, anchors\/kernel, anchors\/system/s,
    );
  });
});

/**
 * With a predictor calibrated on the shipped measured tables (the suites' shapes excluded), as
 * docs/validation.md's "Today's figures" runs it: the issue's anchor targets are met (kernel 2.5%,
 * system 11.3% today) and the other system suites hold today's figures plus a margin (TensorRT-LLM
 * 13.4% today, with NCCL's measured collectives), DeepEP's normal all-to-all 9.6% and MLA's decode BMMs
 * 2.6% on their held-out shapes.
 */
const CALIBRATED_THRESHOLDS: Record<string, number> = {
  "anchors/kernel": 10,
  "anchors/system": 15,
  "deepseek-ep-prefill/system": 15,
  "trtllm-perf-overview/system": 15,
  "aiconfigurator-h100-gemm/kernel": 3,
  "aiconfigurator-h100-moe/kernel": 10,
  "aiconfigurator-h100-deepep/kernel": 12,
  "aiconfigurator-h100-mla-bmm/kernel": 5,
};

describe("llmsim validate with the calibrated predictor", () => {
  const measured = new URL("../../data/measured/", import.meta.url).pathname;
  const predictor = join(dir, "predictor.json");
  const fit = llmsim([
    "calibrate",
    "--measurements",
    ...spawnSync("find", [join(measured, "vidur/compute"), "-name", "mlp.csv.gz"], { encoding: "utf8" })
      .stdout.trim()
      .split("\n")
      .sort(),
    join(measured, "aiconfigurator/h100_sxm/gemm/trtllm/1.3.0rc20/gemm_perf.parquet"),
    join(measured, "aiconfigurator/h100_sxm/moe/trtllm/1.3.0rc20/moe_perf.parquet"),
    join(measured, "aiconfigurator/h100_sxm/comm/nccl/2.29.2/nccl_perf.parquet"),
    join(measured, "aiconfigurator/h100_sxm/comm/sglang/0.5.12/wideep_deepep_normal_perf.parquet"),
    join(measured, "aiconfigurator/h100_sxm/mla_bmm/trtllm/1.3.0rc20/mla_bmm_perf.parquet"),
    "--exclude",
    "validation/",
    "--out",
    predictor,
  ]);
  const run = llmsim(["validate", "--predictor", `calibrated:${predictor}`, "--json"]);
  for (const [slice, limit] of Object.entries(CALIBRATED_THRESHOLDS))
    it(`${slice} median |error| stays <= ${limit}%`, () => {
      expect(fit.code, fit.stderr).toBe(0);
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout).summary as { suiteLevels: Slice[] };
      const found = summary.suiteLevels.find((s) => s.slice === slice);
      expect(found, slice).toBeDefined();
      expect(found?.medianAbsPct).toBeLessThanOrEqual(limit);
    });
});

describe("validate outputs", () => {
  it("writes the log-log chart (PNG), the HTML report and the per-case CSV together", () => {
    const png = join(dir, "v.png");
    const html = join(dir, "v.html");
    const csv = join(dir, "v.csv");
    const r = llmsim([
      "validate",
      "validation/anchors.yaml",
      "--chart",
      png,
      "--html",
      html,
      "--cases-csv",
      csv,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
    const report = readFileSync(html, "utf8");
    expect(report).toContain("<svg");
    expect(report).toContain("K-DEEPEP-LL128C");
    expect(readFileSync(csv, "utf8").split("\n")[0]).toBe(
      "suite,id,level,group,metric,unit,measured,predicted,error_%,calibration,note",
    );
  }, 60_000);
});

describe("validation cases", () => {
  const suite = (unit: string) => `suite: mine
calibration: held-out
cases:
  - id: one-gemm
    source: { document: "my notebook" }
    level: kernel
    scenario:
      op: { hardware: H100, kind: gemm, m: 4096, n: 4096, k: 4096, dtype: bf16 }
    metric: kernel_time
    value: 200
    unit: ${unit}
`;
  it("adding a case is one entry; units are converted (µs to ms)", () => {
    const r = llmsim(["validate", file("mine.yaml", suite("us")), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const [c] = JSON.parse(r.stdout).cases;
    // 2·4096³ FLOPs at 989.4 TFLOPS x 0.721 = 0.1927 ms; 200 µs measured = 0.2 ms.
    expect(c.measured).toBeCloseTo(0.2, 12);
    expect(c.predicted).toBeCloseTo(((2 * 4096 ** 3) / (989.4e12 * 0.721)) * 1e3, 4);
  });
  it("--efficiency overrides the roofline for every case, says so, and refuses unknown keys (exit 2)", () => {
    const path = file("mine-eff.yaml", suite("us"));
    const r = llmsim(["validate", path, "--efficiency", "opOverheadUs=2.54", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const [c] = JSON.parse(r.stdout).cases;
    // The GEMM above plus a fixed 2.54 µs per kernel.
    expect(c.predicted).toBeCloseTo(((2 * 4096 ** 3) / (989.4e12 * 0.721)) * 1e3 + 0.00254, 4);
    expect(c.predictor).toBe("roofline (opOverheadUs=2.54)");
    const bad = llmsim(["validate", path, "--efficiency", "overheadUs=2"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/efficiency: unknown field\(s\) "overheadUs" \(allowed: .*opOverheadUs/);
  });
  it("a unit that is not the metric's exits 2 naming the allowed units", () => {
    const r = llmsim(["validate", file("bad-unit.yaml", suite("GB/s"))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /bad-unit\.yaml: cases\.0\.unit: unit "GB\/s" is not a unit of kernel_time \(allowed: s, ms, us, µs, ns\)/,
    );
  });
  it("a case its scenario cannot give, or a unit of another quantity, is bad input (exit 2)", () => {
    const stepCase = (read: string, metric: string, unit: string) => `suite: mine
calibration: held-out
cases:
  - id: s
    source: { document: "x" }
    level: kernel
    scenario:
      step: { model: deepseek-ai/DeepSeek-V3, hardware: H800, dp: 8, ep: 8, phase: decode, batch: 64, context: 1024 }
      ${read}
    metric: ${metric}
    value: 100
    unit: ${unit}
`;
    const typo = llmsim([
      "validate",
      file("typo.yaml", stepCase("read: { op: moe_dispach }", "kernel_time", "us")),
    ]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /typo\.yaml: cases\.0\.scenario\.read\.op: no layer with op moe_dispach.*moe_dispatch/s,
    );
    const perNode = llmsim([
      "validate",
      file("per-node.yaml", stepCase("gpusPerNode: 8", "tokens_per_s_per_gpu", "tokens/s/node")),
    ]);
    expect(perNode.code).toBe(2);
    expect(perNode.stderr).toMatch(
      /unit "tokens\/s\/node" is not a unit of tokens_per_s_per_gpu \(allowed: tokens\/s\/gpu\)/,
    );
    const gemmBusbw = llmsim([
      "validate",
      file("gemm-busbw.yaml", stepCase("read: { op: o_proj }", "busbw", "GB/s")),
    ]);
    expect(gemmBusbw.code).toBe(2);
    expect(gemmBusbw.stderr).toMatch(
      /cases\.0\.metric: busbw is defined for the MoE dispatch and combine ops/,
    );
  });
  it("serving cases at an arrival rate give request-level latencies, the same as llmsim serve's", () => {
    const serve =
      "{ model: meta-llama/Llama-3.1-8B, hardware: H100, requests: 300, rate: 20, promptTokens: lmsys, outputTokens: lmsys, seed: 3, scheduler: chunked }";
    const servingCase = (id: string, level: string, metric: string, unit: string) => `  - id: ${id}
    source: { document: "x" }
    level: ${level}
    scenario:
      serve: ${serve}
    metric: ${metric}
    value: 10
    unit: ${unit}
`;
    const text = `suite: served
calibration: held-out
cases:
${servingCase("ttft", "request", "ttft_ms_p50", "ms")}${servingCase("tpot", "request", "tpot_p90", "s")}${servingCase("rps", "system", "requests_per_s", "req/s")}`;
    const r = llmsim(["validate", file("served.yaml", text), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const cases = JSON.parse(r.stdout).cases as { id: string; metric: string; predicted: number }[];
    expect(cases.map((c) => c.metric)).toEqual(["ttft_p50", "tpot_p90", "requests_per_s"]);
    const cli = llmsim([
      "serve",
      ...["--requests", "300", "--rate", "20", "--prompt-tokens", "lmsys", "--output-tokens", "lmsys"],
      ...["--seed", "3", "--scheduler", "chunked", "--json"],
    ]);
    const summary = JSON.parse(cli.stdout);
    expect(cases[0]?.predicted).toBe(summary.ttft.p50Ms);
    expect(cases[1]?.predicted).toBe(summary.tpot.p90Ms);
    expect(cases[2]?.predicted).toBe(summary.requestsPerSec);
    // Without a rate every request is queued at time 0: llmsim serve --arrival burst.
    const burstText = text.replaceAll("rate: 20, ", "");
    const burst = llmsim(["validate", file("burst.yaml", burstText), "--json"]);
    expect(burst.code, burst.stderr).toBe(0);
    const burstCli = llmsim([
      "serve",
      ...["--requests", "300", "--arrival", "burst", "--prompt-tokens", "lmsys", "--output-tokens", "lmsys"],
      ...["--seed", "3", "--scheduler", "chunked", "--json"],
    ]);
    expect(JSON.parse(burst.stdout).cases[2].predicted).toBe(JSON.parse(burstCli.stdout).requestsPerSec);
    const conflict = llmsim(["validate", file("conflict.yaml", text.replace("unit: ms", "unit: us"))]);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(
      /cases\.0\.unit: metric ttft_ms_p50 is in ms, but the case's unit is "us"/,
    );
    const unknown = llmsim([
      "validate",
      file("unknown-hw.yaml", text.replaceAll("hardware: H100", "hardware: H999")),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/cases\.0\.scenario\.serve\.hardware: unknown accelerator "H999"/);
    const noRate = llmsim([
      "validate",
      file("no-rate.yaml", text.replaceAll("rate: 20,", "arrival: gamma,")),
    ]);
    expect(noRate.code).toBe(2);
    expect(noRate.stderr).toMatch(/serve\.rate: arrival gamma describes arrivals at a rate: give rate too/);
  }, 60_000);
  it("a JSONL suite is one case per line, named after the file; errors name the line", () => {
    const line = (id: string, level: string) =>
      JSON.stringify({
        id,
        source: { document: "x" },
        level,
        scenario: { op: { hardware: "H100", kind: "gemm", m: 4096, n: 4096, k: 4096, dtype: "bf16" } },
        metric: "kernel_time",
        value: 0.2,
        unit: "ms",
      });
    const ok = llmsim([
      "validate",
      file("runs.jsonl", `${line("a", "kernel")}\n${line("b", "kernel")}\n`),
      "--json",
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).summary.suiteLevels[0]).toMatchObject({ slice: "runs/kernel", n: 2 });
    const bad = llmsim(["validate", file("bad.jsonl", `${line("a", "kernel")}\n\n${line("b", "kernal")}\n`)]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.jsonl:3:1: cases\.1\.level/);
  });
  it("a malformed case names file:line:column", () => {
    const r = llmsim([
      "validate",
      file("bad-level.yaml", suite("ms").replace("level: kernel", "level: kernal")),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /bad-level\.yaml:6:12: cases\.0\.level: must be one of "kernel", "layer", "step", "system", "request"/,
    );
  });
});
