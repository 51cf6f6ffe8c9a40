import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csvParse } from "d3-dsv";
import { describe, expect, it } from "vitest";

const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;
const reference = (file: string) => new URL(`../../data/reference/${file}`, import.meta.url).pathname;
const llmsim = (...args: string[]) => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};
const relativeError = (a: number, b: number) =>
  a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

describe("llmsim decode-sweep --preset shallowsim (the acceptance commands)", () => {
  for (const [file, flags] of [
    ["decode_fp8_combine_H800_GB300-NVL72.csv", ["--fp8-combine"]],
    ["decode_fp16_combine_H800_GB300-NVL72.csv", []],
  ] as const) {
    it(`reproduces ${file} within 1e-6, rows joined on GPU, TP, EP, BatchSize`, () => {
      const run = llmsim(
        "decode-sweep",
        "--preset",
        "shallowsim",
        "--gpu-file",
        reference("shallowsim-gpu_info.csv"),
        ...flags,
        "--csv",
      );
      expect(run.code).toBe(0);
      const mine = csvParse(run.stdout);
      expect(mine.columns).toEqual(
        csvParse(readFileSync(reference(`shallowsim-expected/${file}`), "utf8")).columns,
      );
      const key = (r: Record<string, string | undefined>) => `${r.GPU}|${r.TP}|${r.EP}|${r.BatchSize}`;
      const byKey = new Map(mine.map((r) => [key(r), r]));
      const expected = csvParse(readFileSync(reference(`shallowsim-expected/${file}`), "utf8"));
      let worst = 0;
      for (const row of expected) {
        const got = byKey.get(key(row));
        expect(got, key(row)).toBeDefined();
        for (const column of expected.columns.slice(1))
          worst = Math.max(worst, relativeError(Number(row[column]), Number(got?.[column])));
      }
      expect(worst).toBeLessThan(1e-6);
      expect(mine).toHaveLength(855);
    });
  }

  it("sweeps seq-len like seed 000: a seq_len column, the best row per (GPU, BatchSize, EP) per value", () => {
    const run = llmsim(
      "decode-sweep",
      "--preset",
      "shallowsim",
      "--gpu-file",
      reference("shallowsim-gpu_info.csv"),
      "--fp8-combine",
      "--sweep",
      "seq-len=4351:4416:32",
      "--csv",
    );
    expect(run.code).toBe(0);
    const rows = csvParse(run.stdout);
    expect(rows.columns.at(-1)).toBe("seq_len");
    expect(new Set(rows.map((r) => r.seq_len))).toEqual(new Set(["4351", "4383", "4415"]));
    const at4383 = rows.filter((r) => r.seq_len === "4383");
    expect(new Set(at4383.map((r) => `${r.GPU}|${r.BatchSize}|${r.EP}`)).size).toBe(at4383.length);
    const h800 = at4383.find((r) => r.GPU === "H800" && r.EP === "144" && r.BatchSize === "128");
    expect(Number(h800?.Total)).toBeGreaterThan(3015);
  });

  it("writes a PNG chart, an SVG chart and the styled HTML report", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmsim-"));
    const png = join(dir, "seq.png");
    expect(
      llmsim(
        "decode-sweep",
        "--preset",
        "shallowsim",
        "--gpus",
        "H800,GB300-NVL72",
        "--ep",
        "144",
        "--sweep",
        "seq-len=1024:8192:1024",
        "--chart",
        png,
      ).code,
    ).toBe(0);
    expect(readFileSync(png).subarray(1, 4).toString("ascii")).toBe("PNG");
    const svg = join(dir, "seq.svg");
    expect(
      llmsim(
        "decode-sweep",
        "--gpus",
        "H800",
        "--ep",
        "144",
        "--sweep",
        "seq-len=1024:4096:1024",
        "--chart",
        svg,
        "--chart-by",
        "ep",
      ).code,
    ).toBe(0);
    expect(readFileSync(svg, "utf8")).toContain("<svg");
    const html = join(dir, "report.html");
    expect(
      llmsim("decode-sweep", "--preset", "shallowsim", "--view", "summary", "--report", html, "--csv").code,
    ).toBe(0);
    expect(existsSync(html) && readFileSync(html, "utf8")).toContain("#6495ED");
  });

  it("views: summary keeps exact ties; gpu view filters and sorts", () => {
    expect(
      csvParse(
        llmsim("decode-sweep", "--preset", "shallowsim", "--fp8-combine", "--view", "summary", "--csv")
          .stdout,
      ),
    ).toHaveLength(73);
    const view = csvParse(
      llmsim(
        "decode-sweep",
        "--preset",
        "shallowsim",
        "--gpu",
        "GB300-NVL72",
        "--tps-limit",
        "20",
        "--sort",
        "TPOT",
        "--ascending",
        "--csv",
      ).stdout,
    );
    expect(view.every((r) => r.GPU === "GB300-NVL72" && Number(r.TPS) > 20)).toBe(true);
    for (let i = 1; i < view.length; i++)
      expect(Number(view[i - 1]?.TPOT)).toBeLessThanOrEqual(Number(view[i]?.TPOT));
  });

  it("--compare shallowsim joins both physics and lists the assumptions", () => {
    const run = llmsim(
      "decode-sweep",
      "--gpus",
      "H800",
      "--ep",
      "144",
      "--batch-sizes",
      "64,128",
      "--compare",
      "shallowsim",
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("llmsim vs shallowsim physics");
    expect(run.stdout).toContain("memory filter");
    const csv = csvParse(
      llmsim(
        "decode-sweep",
        "--gpus",
        "H800",
        "--ep",
        "144",
        "--batch-sizes",
        "64,128",
        "--compare",
        "shallowsim",
        "--csv",
      ).stdout,
    );
    expect(csv.columns).toContain("Total_diff_pct");
    expect(csv.length).toBeGreaterThan(0);
  });
});

describe("llmsim prefill-breakdown", () => {
  it("--preset shallowsim reproduces seed 001's table from the initial-commit GPU file", () => {
    const run = llmsim(
      "prefill-breakdown",
      "--preset",
      "shallowsim",
      "--gpu-file",
      reference("shallowsim-gpu_info_initial_commit.csv"),
      "--seq-len",
      "4383",
      "--kv-cache-rate",
      "0.563",
      "--tp",
      "4",
      "--dp",
      "8",
      "--csv",
    );
    expect(run.code).toBe(0);
    const mine = csvParse(run.stdout);
    const expected = csvParse(
      readFileSync(reference("shallowsim-expected/prefill_detail_seed4.csv"), "utf8"),
    );
    for (const row of expected) {
      const got = mine.find((r) => r.Item === row.Item);
      expect(Number(got?.Layers)).toBe(Number(row.Layers));
      for (const gpu of ["DGX-B300", "DGX-B200", "H200", "H800"])
        expect(relativeError(Number(row[gpu]), Number(got?.[gpu])), `${row.Item} ${gpu}`).toBeLessThan(1e-6);
    }
    const summary = csvParse(
      llmsim(
        "prefill-breakdown",
        "--preset",
        "shallowsim",
        "--gpu-file",
        reference("shallowsim-gpu_info_initial_commit.csv"),
        "--summary",
        "--csv",
      ).stdout,
    );
    expect(Number(summary.find((r) => r.Item === "Sum")?.H800)).toBeCloseTo(176.0971744808243, 9);
  });

  it("runs the engine's physics for any MoE model", () => {
    const run = llmsim(
      "prefill-breakdown",
      "--model",
      "Qwen/Qwen3-30B-A3B",
      "--gpus",
      "H100,B200",
      "--tp",
      "1",
      "--dp",
      "8",
      "--json",
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.gpus).toHaveLength(2);
    expect(json.gpus[0].breakdown.tokensPerSecPerGpu).toBeGreaterThan(0);
  });
});

describe("bad input for the EP commands: one line, exit 2", () => {
  const clean = (run: ReturnType<typeof llmsim>, pattern: RegExp) => {
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(pattern);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  };
  it("a GPU file with missing columns or bad numbers", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmsim-"));
    writeFileSync(join(dir, "short.csv"), "gpu_type,sm\nX,1\n");
    clean(
      llmsim("decode-sweep", "--gpu-file", join(dir, "short.csv")),
      /short\.csv:1:1: .*missing column\(s\) comm_sm/,
    );
    writeFileSync(
      join(dir, "bad.csv"),
      `${readFileSync(reference("shallowsim-gpu_info.csv"), "utf8").split("\n")[0]}\nX,132,20,fast,1979,0,80,4000,200,50,8\n`,
    );
    clean(
      llmsim("decode-sweep", "--gpu-file", join(dir, "bad.csv")),
      /bad\.csv:2:1: fp16: row 1: expected a number/,
    );
  });
  it("a bad sweep, an unknown column, a dense model, an unknown GPU", () => {
    clean(llmsim("decode-sweep", "--sweep", "warp=1:2:1"), /"warp" cannot be swept \(allowed: seq-len/);
    clean(
      llmsim("decode-sweep", "--sweep", "constructor=1:2:1"),
      /"constructor" cannot be swept \(allowed: seq-len/,
    );
    clean(llmsim("decode-sweep", "--gpu", "H800", "--sort", "Speed"), /unknown column "Speed"/);
    clean(llmsim("decode-sweep", "--model", "meta-llama/Llama-3.1-8B"), /has no experts/);
    clean(llmsim("decode-sweep", "--gpus", "H9000"), /unknown accelerator "H9000"/);
    clean(llmsim("prefill-breakdown", "--kv-cache-rate", "1.5"), /--kv-cache-rate.*from 0 to 1/);
  });
});
