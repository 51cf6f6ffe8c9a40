import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csvParse } from "d3-dsv";
import { describe, expect, it } from "vitest";

const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;
const dejavuTrace = new URL("../../data/reference/dejavu/lmsys_like_tokens.json", import.meta.url).pathname;
const cpuOverheads = new URL(
  "../../data/measured/vidur/cpu_overheads/a100/cpu_overheads.csv",
  import.meta.url,
).pathname;
const splitwise = new URL("../../data/traces/splitwise_conv.csv", import.meta.url).pathname;
const llmsim = (...args: string[]) => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};
const dir = mkdtempSync(join(tmpdir(), "llmsim-serve-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("llmsim serve", () => {
  it("runs on built-in defaults (Llama-3.1-8B, one H100, 1000 LMSys-like requests at 10 req/s)", () => {
    const run = llmsim("serve");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/1,000 requests in [\d,.]+ s on 1 GPUs/);
    expect(run.stdout).toMatch(/TTFT/);
  });

  it("is deterministic: the same flags and seed give byte-identical JSON, another seed differs", () => {
    const args = ["serve", "--requests", "300", "--rate", "20", "--scheduler", "chunked", "--json"];
    const a = llmsim(...args, "--seed", "5");
    const b = llmsim(...args, "--seed", "5");
    const c = llmsim(...args, "--seed", "6");
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toBe(c.stdout);
  });

  it("writes per-request metrics (seed 004's columns) consistent with the summary", () => {
    const csv = join(dir, "requests.csv");
    const run = llmsim("serve", "--requests", "200", "--rate", "5", "--metrics-csv", csv, "--json");
    const summary = JSON.parse(run.stdout);
    const rows = csvParse(readFileSync(csv, "utf8"));
    expect(rows.columns.slice(0, 6)).toEqual([
      "request_id",
      "arrival_time_ns",
      "ttft_ns",
      "completion_time_ns",
      "input_tokens",
      "output_tokens",
    ]);
    expect(rows).toHaveLength(200);
    const ttftMs = rows.map((r) => Number(r.ttft_ns) / 1e6).sort((x, y) => x - y);
    expect(Math.abs((ttftMs[199] as number) - summary.ttft.maxMs)).toBeLessThan(1e-3);
    for (const r of rows) {
      expect(Number(r.completion_time_ns)).toBeGreaterThan(Number(r.arrival_time_ns) + Number(r.ttft_ns) - 1);
    }
  });

  it("replays a CSV trace with its own arrival times (Vidur's splitwise_conv.csv)", () => {
    const run = llmsim("serve", "--trace-file", splitwise, "--requests", "500", "--json");
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.requests).toBe(500);
    // The first 500 requests of the trace span ~88 s; the simulation ends shortly after the last arrival.
    const rows = csvParse(readFileSync(splitwise, "utf8")).slice(0, 500);
    const span = Number(rows[499]?.arrived_at) - Number(rows[0]?.arrived_at);
    expect(summary.durationSec).toBeGreaterThan(span);
    expect(summary.durationSec).toBeLessThan(span + 60);
  });

  it("takes a DéjàVu JSON trace for lengths, with generated arrivals", () => {
    const run = llmsim("serve", "--trace-file", dejavuTrace, "--rate", "4", "--json");
    expect(run.code).toBe(0);
    const lengths = JSON.parse(readFileSync(dejavuTrace, "utf8")) as number[][];
    const summary = JSON.parse(run.stdout);
    expect(summary.requests).toBe(lengths.length);
    expect(summary.outputTokensPerSec * summary.durationSec).toBeCloseTo(
      lengths.reduce((s, [, o]) => s + (o as number), 0),
      3,
    );
  });

  it("disaggregates prefill and decode with a KV hand-off, and writes a Perfetto trace with flows", () => {
    const trace = join(dir, "pd.json");
    const run = llmsim(
      "serve",
      "--prefill-replicas",
      "1",
      "--decode-replicas",
      "2",
      "--requests",
      "50",
      "--rate",
      "20",
      "--trace",
      trace,
      "--json",
    );
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.pools.map((p: { role: string }) => p.role)).toEqual(["prefill", "decode"]);
    // Llama-3.1-8B: 32 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes = 131072 bytes per token; H100 NIC 50 GB/s.
    expect(summary.kvTransfer.bytesPerToken).toBe(131072);
    expect(summary.kvTransfer.bandwidthBytesPerSec).toBe(50e9);
    const events = JSON.parse(readFileSync(trace, "utf8")).traceEvents as {
      ph: string;
      pid: number;
      ts: number;
      id?: number;
    }[];
    expect(events.filter((e) => e.ph === "b")).toHaveLength(50);
    expect(events.filter((e) => e.ph === "e")).toHaveLength(50);
    const flowStarts = events.filter((e) => e.ph === "s");
    expect(flowStarts.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.ph === "f")).toHaveLength(flowStarts.length);
    expect(events.some((e) => e.ph === "M")).toBe(true);
    const svgPath = join(dir, "pd.svg");
    expect(llmsim("trace-timeline", trace, "--out", svgPath).code).toBe(0);
    const svg = readFileSync(svgPath, "utf8");
    for (const lane of [
      "prefill replica 0 / iterations",
      "prefill replica 0 / KV link",
      "decode replica 1 / iterations",
    ])
      expect(svg).toContain(lane);
  });

  it("draws the latency CDF chart as SVG", () => {
    const chart = join(dir, "cdf.svg");
    expect(llmsim("serve", "--requests", "100", "--cdf-chart", chart).code).toBe(0);
    const svg = readFileSync(chart, "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    for (const label of ["TTFT", "TPOT", "End-to-end"]) expect(svg).toContain(label);
  });

  // One request, prompt 100, 5 output tokens, at constant iteration times (prefill 10 ms, decode 2 ms).
  const oneConstantRequest = [
    ...["--requests", "1", "--prompt-tokens", "100", "--output-tokens", "5"],
    ...["--prefill-ms", "10", "--decode-ms", "2", "--json"],
  ];

  it("uses DéjàVu-style constant iteration times when given", () => {
    const summary = JSON.parse(llmsim("serve", ...oneConstantRequest).stdout);
    expect(summary.ttft.p50Ms).toBeCloseTo(10, 9);
    expect(summary.tpot.p50Ms).toBeCloseTo(2, 9);
  });

  it("adds the host overhead to every iteration: a constant, or Vidur's measured table for the model and TP", () => {
    const one = ["--requests", "1", "--prompt-tokens", "100", "--output-tokens", "5"];
    const constant = llmsim("serve", ...oneConstantRequest, "--host-overhead-ms", "1.5");
    const summary = JSON.parse(constant.stdout);
    expect(summary.ttft.p50Ms).toBeCloseTo(11.5, 9);
    expect(summary.tpot.p50Ms).toBeCloseTo(3.5, 9);
    // A single request is a batch of 1, below the table's smallest batch (8): Llama-2-7B TP1's 1.3935 ms.
    const model = ["--model", "meta-llama/Llama-2-7b-hf", "--hardware", "A100"];
    const plain = JSON.parse(llmsim("serve", ...model, ...one, "--json").stdout);
    const measured = llmsim("serve", ...model, ...one, "--host-overhead-table", cpuOverheads, "--json");
    expect(measured.code).toBe(0);
    expect(JSON.parse(measured.stdout).tpot.p50Ms - plain.tpot.p50Ms).toBeCloseTo(1.393505387989901, 6);
    const label = llmsim("serve", ...model, "--requests", "20", "--host-overhead-table", cpuOverheads);
    expect(label.stdout).toMatch(/host overhead Vidur cpu_overheads\.csv, meta-llama\/Llama-2-7b-hf TP1/);
  });
});

describe("llmsim serve rejects bad input with exit code 2, naming the file and entry", () => {
  const cases: [string, string[], RegExp][] = [
    [
      "negative counts in a DéjàVu trace",
      ["--trace-file", file("neg.json", "[[10, 5], [3, -4]]")],
      /neg\.json.*entry 1: num_generated_tokens/,
    ],
    [
      "zero output tokens",
      ["--trace-file", file("zero.json", "[[10, 0]]")],
      /zero\.json.*entry 0: a request needs at least 1/,
    ],
    [
      "non-numeric CSV cell",
      [
        "--trace-file",
        file("bad.csv", "arrived_at,num_prefill_tokens,num_decode_tokens\n0,12,3\n1,lots,3\n"),
      ],
      /bad\.csv.*row 3: num_prefill_tokens/,
    ],
    [
      "negative CSV arrival",
      ["--trace-file", file("early.csv", "arrived_at,input_tokens,output_tokens\n-1,12,3\n")],
      /early\.csv.*row 2: arrived_at/,
    ],
    [
      "CSV without token columns",
      ["--trace-file", file("cols.csv", "a,b\n1,2\n")],
      /cols\.csv.*needs a prompt column/,
    ],
    ["a model that does not fit", ["--model", "meta-llama/Llama-3.1-405B"], /does not fit H100/],
    ["zero replicas", ["--replicas", "0"], /--replicas.*integer >= 1/],
    [
      "half a disaggregation",
      ["--prefill-replicas", "2"],
      /needs both --prefill-replicas and --decode-replicas/,
    ],
    [
      "a request longer than the KV cache",
      ["--kv-tokens", "64", "--prompt-tokens", "100", "--output-tokens", "10", "--requests", "3"],
      /request 0 \(100 prompt \+ 10 output tokens\) does not fit.*3 requests are too long/,
    ],
    ["unknown scheduler", ["--scheduler", "fifo"], /allowed: continuous, chunked, static/],
    ["bad length form", ["--prompt-tokens", "lognormal:x"], /lognormal:MEDIAN:SIGMA/],
    [
      "a host-overhead table without the model at that TP",
      ["--tp", "2", "--host-overhead-table", cpuOverheads],
      /cpu_overheads\.csv: --host-overhead-table: no host-overhead rows for meta-llama\/Llama-3\.1-8B at TP 2 \(allowed: .*Llama-2-7b-hf TP1/,
    ],
    [
      "both host-overhead forms",
      ["--host-overhead-ms", "1", "--host-overhead-table", cpuOverheads],
      /give --host-overhead-ms or --host-overhead-table, not both/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const trace = join(dir, `${what.replace(/\W+/g, "-")}.trace.json`);
      const run = llmsim("serve", ...args, "--trace", trace);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\bat .*\.js:\d+/);
      expect(existsSync(trace)).toBe(false);
    });
  }
});
