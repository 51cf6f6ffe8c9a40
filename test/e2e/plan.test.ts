import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csvParse } from "d3-dsv";
import { parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";

const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;
const llmsim = (args: string[], env: Record<string, string> = {}, cwd?: string) => {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    ...(cwd ? { cwd } : {}),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};
const dir = mkdtempSync(join(tmpdir(), "llmsim-plan-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// A mixed fleet, both modes, targets that some configurations miss.
const QUESTION = [
  "--model",
  "meta-llama/Llama-3.1-8B",
  "--hardware",
  "H100,H200",
  "--gpus",
  "16",
  "--isl",
  "1000",
  "--osl",
  "200",
  "--ttft-ms",
  "400",
  "--tpot-ms",
  "12",
  "--recheck",
  "2",
  "--recheck-requests",
  "300",
];

describe("llmsim plan", () => {
  const single = llmsim(["plan", ...QUESTION, "--json"]);
  const result = JSON.parse(single.stdout);

  it("finds the fronts, re-checks the best and recommends one, with reasons", () => {
    expect(single.code).toBe(0);
    expect(result.schemaVersion).toBe(1);
    expect(result.summary.evaluated).toBe(result.spaceSize);
    expect(result.summary.counts.ok).toBeGreaterThan(0);
    expect(result.summary.groups).toHaveLength(2 + 4);
    expect(result.rechecks).toHaveLength(2);
    // Both catalog prices are known, so the objective is cost.
    expect(result.input.objective).toBe("cost");
    expect(result.recommended.candidate.status).toBe("ok");
    expect(result.recommended.candidate.ttftMs).toBeLessThanOrEqual(400);
    expect(result.recommended.candidate.tpotMs).toBeLessThanOrEqual(12);
    expect(result.recommended.reasons.join(" ")).toMatch(/lowest cost among/);
  });

  it("prints the same in a table, with the recommendation and the re-check", () => {
    const table = llmsim(["plan", ...QUESTION]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`recommended: ${result.recommended.candidate.description}`);
    expect(table.stdout).toMatch(/serving re-check/);
    expect(table.stdout).toMatch(/best of each hardware choice/);
  });

  it("shard-then-merge equals the single run exactly, on one thread or several, in any shard order", () => {
    const out = join(dir, "shards");
    for (let i = 0; i < 3; i++) {
      const run = llmsim([
        "plan",
        ...QUESTION,
        "--shard",
        `${i}/3`,
        "--out",
        out,
        "--threads",
        i === 1 ? "1" : "2",
      ]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`shard ${i} of 3: `));
    }
    const files = readdirSync(out).map((f) => join(out, f));
    expect(files.map((f) => f.split("/").pop())).toEqual([
      "shard-0000-of-0003.json",
      "shard-0001-of-0003.json",
      "shard-0002-of-0003.json",
    ]);
    const merged = llmsim(["merge", ...[...files].reverse(), "--json"]);
    expect(merged.code).toBe(0);
    expect(merged.stdout).toBe(single.stdout);
    // A retried shard (the same file twice) is fine.
    expect(llmsim(["merge", ...files, files[0] as string, "--json"]).stdout).toBe(single.stdout);
  });

  it("--shard auto reads Kubernetes' and Slurm's indices", () => {
    const explicit = join(dir, "explicit");
    const k8s = join(dir, "k8s");
    const slurm = join(dir, "slurm");
    llmsim(["plan", ...QUESTION, "--shard", "1/2", "--out", explicit]);
    llmsim(["plan", ...QUESTION, "--shard", "auto", "--shards", "2", "--out", k8s], {
      JOB_COMPLETION_INDEX: "1",
    });
    llmsim(["plan", ...QUESTION, "--shard", "auto", "--out", slurm], {
      SLURM_ARRAY_TASK_ID: "6",
      SLURM_ARRAY_TASK_MIN: "5",
      SLURM_ARRAY_TASK_COUNT: "2",
    });
    const name = "shard-0001-of-0002.json";
    const text = readFileSync(join(explicit, name), "utf8");
    expect(readFileSync(join(k8s, name), "utf8")).toBe(text);
    expect(readFileSync(join(slurm, name), "utf8")).toBe(text);
    const noCount = llmsim(["plan", ...QUESTION, "--shard", "auto"], { JOB_COMPLETION_INDEX: "0" });
    expect(noCount.code).toBe(2);
    expect(noCount.stderr).toMatch(/--shards/);
  });

  it("merge refuses an incomplete set or shards of another sweep, exit 2", () => {
    const out = join(dir, "partial");
    llmsim(["plan", ...QUESTION, "--shard", "0/3", "--out", out]);
    llmsim(["plan", ...QUESTION, "--shard", "2/3", "--out", out]);
    const missing = llmsim([
      "merge",
      join(out, "shard-0000-of-0003.json"),
      join(out, "shard-0002-of-0003.json"),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/1 of 3 shards missing: 1/);
    const other = join(dir, "other");
    llmsim(["plan", ...QUESTION, "--tpot-ms", "20", "--shard", "1/3", "--out", other]);
    const mixed = llmsim([
      "merge",
      join(out, "shard-0000-of-0003.json"),
      join(other, "shard-0001-of-0003.json"),
      join(out, "shard-0002-of-0003.json"),
    ]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/belongs to another sweep/);
    const tampered = file(
      "tampered.json",
      readFileSync(join(out, "shard-0000-of-0003.json"), "utf8").replace('"gpus":16', '"gpus":17'),
    );
    expect(llmsim(["merge", tampered]).stderr).toMatch(/does not match its hash/);
    expect(llmsim(["merge", file("notashard.json", "{}")]).stderr).toMatch(/not a shard/);
    // The summary is not hashed (it is the shard's result), so its figures are checked for type.
    const shard = JSON.parse(readFileSync(join(out, "shard-0000-of-0003.json"), "utf8"));
    const damaged = file(
      "damaged.json",
      JSON.stringify({ ...shard, summary: { ...shard.summary, evaluated: "garbage" } }),
    );
    const merged = llmsim(["merge", damaged]);
    expect(merged.code).toBe(2);
    expect(merged.stderr).toMatch(
      /damaged\.json.*the summary is damaged: evaluated "garbage" is not a count/,
    );
    const notLists = file("lists.json", JSON.stringify({ ...shard, summary: { ...shard.summary, best: 5 } }));
    expect(llmsim(["merge", notLists]).stderr).toMatch(/best and closest must be lists/);
    expect(llmsim(["merge", notLists]).code).toBe(2);
    // A shard of an older llmsim (schemaVersion 1) is refused, not merged with different physics.
    const old = file("old.json", JSON.stringify({ ...shard, schemaVersion: 1 }));
    expect(llmsim(["merge", old]).stderr).toMatch(/schemaVersion 1 is not supported \(expected 2; re-run/);
  });

  it("writes a shard's rows into --out, which it creates, whatever directory --rows names", () => {
    const out = join(dir, "fresh-out");
    const run = llmsim([
      "plan",
      ...QUESTION,
      "--shard",
      "1/40",
      "--out",
      out,
      "--rows",
      join(out, "rows.csv"),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["rows-shard-0001-of-0040.csv", "shard-0001-of-0040.json"]);
  });

  it("writes every configuration as Parquet (read back with hyparquet) and CSV, and the chart", async () => {
    const parquet = join(dir, "rows.parquet");
    const csv = join(dir, "rows.csv");
    const chart = join(dir, "front.svg");
    expect(llmsim(["plan", ...QUESTION, "--rows", parquet, "--chart", chart, "--json"]).stdout).toBe(
      single.stdout,
    );
    expect(llmsim(["plan", ...QUESTION, "--rows", csv, "--threads", "1", "--json"]).stdout).toBe(
      single.stdout,
    );
    const buffer = readFileSync(parquet);
    const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    const metadata = await parquetMetadataAsync(data);
    expect(Number(metadata.num_rows)).toBe(result.spaceSize);
    const rows = (await parquetReadObjects({ file: data })) as Record<string, unknown>[];
    const csvRows = csvParse(readFileSync(csv, "utf8"));
    expect(csvRows).toHaveLength(result.spaceSize);
    expect(rows.map((r) => r.index)).toEqual(rows.map((_, i) => i));
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.status as string] = (counts[r.status as string] ?? 0) + 1;
    for (const [status, n] of Object.entries(result.summary.counts)) expect(counts[status] ?? 0).toBe(n);
    const recommended = rows[result.recommended.candidate.index] as Record<string, unknown>;
    expect(recommended.status).toBe("ok");
    expect(recommended.tpot_ms).toBe(result.recommended.candidate.tpotMs);
    expect(Number(csvRows[result.recommended.candidate.index]?.tpot_ms)).toBe(
      result.recommended.candidate.tpotMs,
    );
    const svg = readFileSync(chart, "utf8");
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain("recommended");
    expect(svg).toContain("H200-SXM prefill + H100-SXM decode");
  });

  it("--csv gives every hardware choice's front", () => {
    const run = llmsim(["plan", ...QUESTION, "--csv"]);
    const rows = csvParse(run.stdout);
    const total = result.summary.groups.reduce((n: number, g: { front: unknown[] }) => n + g.front.length, 0);
    expect(rows).toHaveLength(total);
    expect(rows.filter((r) => r.recommended === "yes").length).toBeLessThanOrEqual(1);
    expect(rows.columns).toContain("usd_per_million_output_tokens");
  });

  it("a scenario file: the same question, relative paths against the file, flags over it", () => {
    file("prices.csv", "hardware,usd_per_gpu_hour\nH100,1.5\n");
    const scenario = file(
      "question.yaml",
      "model: meta-llama/Llama-3.1-8B\nhardware: [H100, H200]\ngpus: 16\nisl: 1000\nosl: 200\nttftMs: 400\ntpotMs: 12\nrecheck: 2\nrecheckRequests: 300\npriceFile: prices.csv\n",
    );
    const run = llmsim(["plan", "--scenario", scenario, "--json"], {}, tmpdir());
    expect(run.code).toBe(0);
    const fromFile = JSON.parse(run.stdout);
    expect(fromFile.input.hardware[0].usdPerGpuHour).toBe(1.5);
    const overridden = JSON.parse(
      llmsim(["plan", "--scenario", scenario, "--price", "H100=1.9", "--json"]).stdout,
    );
    expect(overridden.summary).toEqual(result.summary);
  });

  it("a trace gives the lengths and, with arrival times, the rate", () => {
    const trace = file(
      "trace.csv",
      `arrived_at,num_prefill_tokens,num_decode_tokens\n${Array.from({ length: 50 }, (_, i) => `${i * 0.1},${800 + 10 * i},${100 + i}`).join("\n")}\n`,
    );
    const run = llmsim([
      "plan",
      "--model",
      "meta-llama/Llama-3.1-8B",
      "--hardware",
      "H100",
      "--gpus",
      "8",
      "--trace-file",
      trace,
      "--recheck",
      "1",
      "--json",
    ]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.input.lengths).toEqual({ kind: "trace", requests: 50 });
    expect(out.input.statistics.meanPromptTokens).toBe(800 + 10 * 24.5);
    // 49 gaps of 0.1 s: 10 requests/s.
    expect(out.input.ratePerSec).toBeCloseTo(10, 9);
    expect(out.recommended.candidate.requestsPerSec).toBeGreaterThanOrEqual(10);
  });
});

describe("llmsim plan --host-overhead-ms", () => {
  it("adds the host's time per iteration to the analytic TPOT and to the re-check's iterations", () => {
    // One configuration: an aggregated Llama-3.1-8B replica on one H100 at batch 16.
    const one = (
      "plan --model meta-llama/Llama-3.1-8B --hardware H100 --gpus 1 --isl 1000 --osl 200 " +
      "--modes aggregated --tp 1 --batch 16 --recheck 1 --recheck-requests 200 --json"
    ).split(" ");
    const plain = JSON.parse(llmsim(one).stdout);
    const run = llmsim([...one, "--host-overhead-ms", "1.5"]);
    expect(run.code, run.stderr).toBe(0);
    const host = JSON.parse(run.stdout);
    expect(host.input.hostOverheadMs).toBe(1.5);
    expect(host.specHash).not.toBe(plain.specHash);
    // The replica's TPOT is its cycle over the output tokens, each decode iteration 1.5 ms longer
    // and each prefill iteration too.
    const [a, b] = [plain.recommended.candidate, host.recommended.candidate];
    expect(b.tpotMs).toBeGreaterThan(a.tpotMs + 1.5);
    expect(b.tpotMs).toBeLessThan(a.tpotMs + 1.6);
    expect(host.rechecks[0].tpot.p50Ms).toBeGreaterThan(plain.rechecks[0].tpot.p50Ms + 1.5);
  });
});

describe("llmsim plan --predictor: measured kernels in the sweep and the re-checks", () => {
  const predictorFile = join(dir, "vidur-h100-7b.json");
  const fit = llmsim([
    "calibrate",
    "--measurements",
    new URL("../../data/measured/vidur/compute/h100/meta-llama/Llama-2-7b-hf/mlp.csv.gz", import.meta.url)
      .pathname,
    "--out",
    predictorFile,
  ]);
  const question = [
    ...["--model", "meta-llama/Llama-2-7b-hf", "--hardware", "H100", "--gpus", "8"],
    ...["--isl", "1000", "--osl", "200", "--ttft-ms", "400", "--tpot-ms", "30"],
    ...["--recheck", "2", "--recheck-requests", "300"],
  ];
  const predictor = ["--predictor", `calibrated:${predictorFile}`];
  const vidur70b = new URL(
    "../../data/measured/vidur/compute/h100/meta-llama/Llama-2-70b-hf/mlp.csv.gz",
    import.meta.url,
  ).pathname;
  const single = llmsim(["plan", ...question, ...predictor, "--threads", "1", "--json"]);

  it("prices the steps with the measured kernels, names them and their digest", () => {
    expect(fit.code, fit.stderr).toBe(0);
    expect(single.code, single.stderr).toBe(0);
    const calibrated = JSON.parse(single.stdout);
    expect(calibrated.input.predictor.name).toBe("calibrated:vidur-h100-7b.json");
    expect(calibrated.input.predictor.digest).toMatch(/^[0-9a-f]{16}$/);
    const roofline = JSON.parse(llmsim(["plan", ...question, "--json"]).stdout);
    expect(roofline.input.predictor).toEqual({ name: "roofline" });
    expect(calibrated.summary.groups).not.toEqual(roofline.summary.groups);
    expect(calibrated.specHash).not.toBe(roofline.specHash);
    const table = llmsim(["plan", ...question, ...predictor]);
    expect(table.stdout).toMatch(/kernel times: calibrated:vidur-h100-7b\.json \(data [0-9a-f]{16}\)/);
  });

  it("gives the same on worker threads and through shards and merge", () => {
    expect(llmsim(["plan", ...question, ...predictor, "--threads", "2", "--json"]).stdout).toBe(
      single.stdout,
    );
    const out = join(dir, "predictor-shards");
    for (const shard of ["0/2", "1/2"])
      expect(llmsim(["plan", ...question, ...predictor, "--shard", shard, "--out", out]).code).toBe(0);
    const files = readdirSync(out).map((f) => join(out, f));
    const merged = llmsim(["merge", ...files, ...predictor, "--threads", "2", "--json"]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(single.stdout);
    // The data counts, not the file's name or formatting: a reformatted copy merges, another fit does not.
    const copy = join(dir, "renamed.json");
    writeFileSync(copy, JSON.stringify(JSON.parse(readFileSync(predictorFile, "utf8")), null, 1));
    expect(llmsim(["merge", ...files, "--predictor", `calibrated:${copy}`, "--json"]).stdout).toBe(
      single.stdout,
    );
    const other = join(dir, "refit", "vidur-h100-7b.json");
    const noDirectory = llmsim(["calibrate", "--measurements", vidur70b, "--out", other]);
    expect(noDirectory.code).toBe(2);
    expect(noDirectory.stderr).toMatch(/--out.*vidur-h100-7b\.json.*the directory .*refit does not exist/);
    mkdirSync(join(dir, "refit"));
    const refit = llmsim(["calibrate", "--measurements", vidur70b, "--out", other]);
    expect(refit.code, refit.stderr).toBe(0);
    const mismatch = llmsim(["merge", ...files, "--predictor", `calibrated:${other}`]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(
      /planned with calibrated:vidur-h100-7b\.json \(data ([0-9a-f]{16})\), not calibrated:vidur-h100-7b\.json \(data (?!\1)[0-9a-f]{16}\)/,
    );
    const without = llmsim(["merge", ...files]);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(
      /the shards were planned with calibrated:vidur-h100-7b\.json \(data [0-9a-f]{16}\), not the roofline/,
    );
  });

  it("a table predictor (measured timings interpolated) gives the same on one thread or two", () => {
    const table = [
      "--predictor",
      `table:${new URL("../../data/measured/vidur/compute/h100/meta-llama/Llama-2-7b-hf/mlp.csv.gz", import.meta.url).pathname}`,
    ];
    const one = llmsim(["plan", ...question, ...table, "--threads", "1", "--json"]);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout).input.predictor.name).toBe("table:mlp.csv.gz");
    expect(llmsim(["plan", ...question, ...table, "--threads", "2", "--json"]).stdout).toBe(one.stdout);
    expect(one.stdout).not.toBe(single.stdout);
  });

  it("a scenario file names it relative to the file", () => {
    const scenario = file(
      "predicted.yaml",
      "model: meta-llama/Llama-2-7b-hf\nhardware: [H100]\ngpus: 8\nisl: 1000\nosl: 200\nttftMs: 400\ntpotMs: 30\nrecheck: 2\nrecheckRequests: 300\npredictor: calibrated:vidur-h100-7b.json\n",
    );
    const run = llmsim(["plan", "--scenario", scenario, "--threads", "1", "--json"], {}, tmpdir());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(single.stdout);
  });
});

describe("llmsim plan: bad input exits 2 with a clear message and leaves no files", () => {
  const base = [
    "plan",
    "--model",
    "meta-llama/Llama-3.1-8B",
    "--hardware",
    "H100",
    "--isl",
    "1000",
    "--osl",
    "200",
  ];
  const cases: [string, string[], RegExp][] = [
    ["a GPU budget of zero", ["--gpus", "0"], /the GPU budget must be at least 1 GPU/],
    [
      "an unknown accelerator",
      ["--gpus", "8", "--hardware", "H1OO"],
      /unknown accelerator "H1OO".*did you mean: H100/,
    ],
    ["a budget for hardware not planned", ["--gpus", "H200=4"], /"H200" is not among the plan's hardware/],
    [
      "the cost objective without a price",
      ["--gpus", "8", "--hardware", "H20", "--objective", "cost"],
      /needs a \$\/GPU-hour for H20/,
    ],
    ["a malformed price", ["--gpus", "8", "--price", "H100=cheap"], /expected NAME=USD per GPU-hour/],
    ["a bad shard", ["--gpus", "8", "--shard", "3/3"], /the index must be 0..N-1/],
    ["no model", ["--gpus", "8", "--model", ""], /model/],
    [
      "an empty space (every xPyD pair has a common factor)",
      ["--gpus", "8", "--modes", "disaggregated", "--prefill-replicas", "2", "--decode-replicas", "2,4"],
      /every xPyD pair of prefill replicas 2 and decode replicas 2,4 has a common factor/,
    ],
    [
      "a TP list that cannot split the attention heads",
      ["--gpus", "8", "--tp", "3,6"],
      /tp: TP 3 does not divide the 32 attention heads of meta-llama\/Llama-3\.1-8B \(allowed: 1, 2, 4, 8, 16, 32\)/,
    ],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const run = llmsim([...base, ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
    });
  }

  it("a malformed price table names the file and line", () => {
    const values = file("bad-prices.csv", "hardware,usd_per_gpu_hour\nH100,abc\n");
    const header = file("bad-header.csv", "name,cost\nH100,2\n");
    const yaml = file("bad-prices.yaml", "H100: -2\n");
    expect(llmsim([...base, "--gpus", "8", "--price-file", values]).stderr).toMatch(
      /bad-prices\.csv:2:1: price of H100: expected a number >= 0/,
    );
    expect(llmsim([...base, "--gpus", "8", "--price-file", header]).stderr).toMatch(
      /bad-header\.csv:1:1: the header needs a hardware column/,
    );
    const run = llmsim([...base, "--gpus", "8", "--price-file", yaml]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad-prices\.yaml:1:7: H100/);
  });

  it("targets nothing meets: says so with the closest configurations, writes no chart or rows", () => {
    const chart = join(dir, "never.png");
    const rows = join(dir, "never.parquet");
    const run = llmsim([...base, "--gpus", "8", "--tpot-ms", "0.5", "--chart", chart, "--rows", rows]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /no configuration meets every target; the closest, .+, misses the TPOT target/,
    );
    expect(run.stdout).toMatch(/closest configurations:/);
    expect(existsSync(chart)).toBe(false);
    expect(existsSync(rows)).toBe(false);
    expect(readdirSync(dir).some((f) => f.includes(".partial-"))).toBe(false);
  });

  it("a scenario file with a wrong type or an unknown field names file:line:column", () => {
    const scenario = file(
      "bad.yaml",
      "model: meta-llama/Llama-3.1-8B\nhardware: [H100]\ngpus: 8\ntp: [1, two]\nbogus: 1\n",
    );
    const run = llmsim(["plan", "--scenario", scenario]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.yaml:4:9: tp\.1: .*expected number/);
    expect(run.stderr).toMatch(/bad\.yaml:5:8: unknown field\(s\) "bogus"/);
  });
});
