import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csvParse } from "d3-dsv";
import { describe, expect, it } from "vitest";

const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;
const dejavuDir = new URL("../../data/reference/dejavu/", import.meta.url).pathname;
const expectedDir = join(dejavuDir, "expected");
const llmsim = (args: string[], cwd = dejavuDir) => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

/** Upstream's command line -> llmsim's: `python3 simulator_dv.py ARGS` -> `dejavu dv ARGS`. */
const SIMULATORS: Record<string, string> = {
  "simulator_baseline_trace.py": "baseline",
  "simulator_dv.py": "dv",
};
const referenceRuns = readdirSync(expectedDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(expectedDir, entry.name, "stdout.txt")))
  .map((entry) => {
    const words = readFileSync(join(expectedDir, entry.name, "command.txt"), "utf8")
      .trim()
      .split(/\s+/);
    return { name: entry.name, script: words[1] as string, args: words.slice(2) };
  })
  .filter((run) => run.script in SIMULATORS);

describe("llmsim dejavu reproduces every upstream simulator run in the reference set", () => {
  it("finds the reference runs", () => expect(referenceRuns.length).toBeGreaterThanOrEqual(2));
  for (const run of referenceRuns) {
    it(`${run.name}: stdout byte-identical (Python float formatting)`, () => {
      const result = llmsim(["dejavu", SIMULATORS[run.script] as string, ...run.args]);
      expect(result.stderr).toBe("");
      expect(result.stdout).toBe(readFileSync(join(expectedDir, run.name, "stdout.txt"), "utf8"));
    });
    const traceName = run.script === "simulator_dv.py" ? "dv_trace.json" : "baseline_trace.json";
    if (existsSync(join(expectedDir, run.name, traceName))) {
      it(`${run.name}: ${traceName} byte-identical`, () => {
        // Run in a scratch directory (upstream writes the trace to the working directory), trace file by absolute path.
        const cwd = mkdtempSync(join(tmpdir(), "llmsim-dv-ref-"));
        const args = run.args.map((arg, i) =>
          run.args[i - 1] === "--trace_file" ? join(dejavuDir, arg) : arg,
        );
        const result = llmsim(
          [
            "dejavu",
            SIMULATORS[run.script] as string,
            ...args,
            ...(args.includes("--do_traces") ? [] : ["--do_traces"]),
          ],
          cwd,
        );
        expect(result.code).toBe(0);
        expect(readFileSync(join(cwd, traceName), "utf8")).toBe(
          readFileSync(join(expectedDir, run.name, traceName), "utf8"),
        );
      });
    }
  }

  it("--json carries the same numbers as the printed lines", () => {
    const run = referenceRuns.find((r) => r.script === "simulator_baseline_trace.py");
    if (!run) throw new Error("no baseline reference run");
    const result = llmsim(["dejavu", "baseline", ...run.args, "--json"]);
    const json = JSON.parse(result.stdout);
    const text = readFileSync(join(expectedDir, run.name, "stdout.txt"), "utf8");
    expect(text).toContain(`median: ${json.latencyPerTokenMedianSec},`);
    expect(text).toContain(`Early stops is ${json.earlyStops}`);
    expect(text).toContain(`Total time is ${json.makespanSec} sec`);
    expect(json.count).toBe(512);
  });
});

const planRuns = readdirSync(expectedDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(expectedDir, entry.name, "command.txt")))
  .map((entry) => {
    const words = readFileSync(join(expectedDir, entry.name, "command.txt"), "utf8")
      .trim()
      .split(/\s+/);
    return { name: entry.name, script: words[1] as string, args: words.slice(2) };
  })
  .filter((run) => run.script === "simulate_all.py");

describe("llmsim dejavu plan reproduces every upstream planner run in the reference set", () => {
  it("finds the reference runs", () => expect(planRuns.length).toBeGreaterThanOrEqual(1));
  for (const run of planRuns) {
    it(`${run.name}: CSV byte-identical, JSON with the same numbers, same result on one thread`, () => {
      // Input files by absolute path; outputs (named as upstream) into a scratch directory.
      const cwd = mkdtempSync(join(tmpdir(), "llmsim-plan-"));
      const args = run.args.map((arg, i) =>
        ["--trace_file", "--config_file"].includes(run.args[i - 1] as string) ? join(dejavuDir, arg) : arg,
      );
      const csvName = args[args.indexOf("--output_csv") + 1] as string;
      const result = llmsim(["dejavu", "plan", ...args], cwd);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const expected = readFileSync(join(expectedDir, run.name, csvName), "utf8");
      expect(readFileSync(join(cwd, csvName), "utf8")).toBe(expected);
      const json = JSON.parse(readFileSync(join(cwd, `${csvName.split(".")[0]}.json`), "utf8")) as [
        number,
        Record<string, { total_time: number; cost: number }>,
      ][];
      const rows = csvParse(expected);
      json.forEach(([machines, best], i) => {
        expect(machines).toBe(Number(rows[i]?.Num_machines));
        expect(best.Baseline?.total_time).toBe(Number(rows[i]?.Baseline));
        expect(best.DV?.cost).toBe(Number(rows[i]?.Cost_dv));
      });
      const single = mkdtempSync(join(tmpdir(), "llmsim-plan-1-"));
      expect(llmsim(["dejavu", "plan", ...args, "--threads", "1"], single).code).toBe(0);
      expect(readFileSync(join(single, csvName), "utf8")).toBe(expected);
    });
  }

  it("plot: prints the lists and speedups, writes the SVG and PNG charts", () => {
    const run = planRuns[0];
    if (!run) throw new Error("no planner reference run");
    const csvName = run.args[run.args.indexOf("--output_csv") + 1] as string;
    const cwd = mkdtempSync(join(tmpdir(), "llmsim-plot-"));
    const result = llmsim(
      ["dejavu", "plot", "--model", "M", "--suffix", "s", "--input", join(expectedDir, run.name, csvName)],
      cwd,
    );
    expect(result.code).toBe(0);
    const rows = csvParse(readFileSync(join(expectedDir, run.name, csvName), "utf8"));
    const ratios = rows
      .slice(1)
      .map((r) => Number(r.Baseline) / Number(r.DV))
      .filter(Number.isFinite);
    expect(result.stdout).toContain(`SPEEDUP-DV-BASELINE ${Math.max(...ratios)}`);
    expect(readFileSync(join(cwd, "M_s.svg"), "utf8")).toContain("Number of Machines");
    expect(existsSync(join(cwd, "M_s.png"))).toBe(true);
  });
});

describe("llmsim dejavu plan --physics llmsim", () => {
  it("plans OPT-66B on machines of 4 H100s from the engine: 9 rows, costs from the catalog price", () => {
    const cwd = mkdtempSync(join(tmpdir(), "llmsim-plan-llmsim-"));
    const args = [
      "dejavu",
      "plan",
      "--physics",
      "llmsim",
      "--model",
      "facebook/opt-66b",
      "--hardware",
      "H100",
      "--gpus_per_machine",
      "4",
    ];
    // The JSON's name is the CSV's cut at its first "." (as upstream), in the CSV's own directory.
    mkdirSync(join(cwd, "out.v1"));
    const result = llmsim(
      [
        ...args,
        "--trace_file",
        join(dejavuDir, "lmsys_like_tokens.json"),
        "--output_csv",
        "./out.v1/plan.csv",
      ],
      cwd,
    );
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith("┘\n")).toBe(true);
    const rows = csvParse(readFileSync(join(cwd, "out.v1", "plan.csv"), "utf8"));
    expect(rows.map((r) => Number(r.Num_machines))).toEqual([1, 2, 4, 6, 8, 10, 12, 14, 16]);
    // More machines never make the best data-parallel or DV plan slower here, and every row's cost is makespan x machines x price.
    for (const row of rows.slice(1)) expect(Number(row.DV)).toBeGreaterThan(0);
    const json = JSON.parse(readFileSync(join(cwd, "out.v1", "plan.json"), "utf8")) as [
      number,
      { DV: { total_time: number; cost: number } },
    ][];
    const [machines, best] = json[8] ?? [0, { DV: { total_time: 0, cost: 0 } }];
    const pricePerMachineHour = (best.DV.cost / best.DV.total_time / machines) * 3600;
    // The catalog's H100-SXM price, $1.90 per GPU-hour, times 4 GPUs per machine.
    expect(pricePerMachineHour).toBeCloseTo(7.6, 9);
  });
  it("asks for the KV link when the catalog has no NIC figure", () => {
    const result = llmsim([
      "dejavu",
      "plan",
      "--physics",
      "llmsim",
      "--model",
      "facebook/opt-66b",
      "--hardware",
      "A100",
      "--trace_file",
      join(dejavuDir, "lmsys_like_tokens.json"),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/kv_link_gbps.*A100-SXM4-80GB has no scale-out NIC bandwidth/);
  });
});

describe("llmsim dejavu --do_traces", () => {
  it("writes baseline_trace.json in the working directory: a bare array with N + Σ N·(1 + T) events", () => {
    const cwd = mkdtempSync(join(tmpdir(), "llmsim-dv-"));
    const trace = join(dejavuDir, "tiny_trace.json");
    const result = llmsim(
      [
        "dejavu",
        "baseline",
        "--num_machines",
        "4",
        "--prompt_time",
        "10",
        "--token_time",
        "1",
        "--trace_file",
        trace,
        "--do_traces",
      ],
      cwd,
    );
    expect(result.code).toBe(0);
    const events = JSON.parse(readFileSync(join(cwd, "baseline_trace.json"), "utf8")) as { ph: string }[];
    const tokens = (JSON.parse(readFileSync(trace, "utf8")) as number[][]).map(([, t]) =>
      Math.min(1000, Math.max(2, t as number)),
    );
    expect(events).toHaveLength(4 + tokens.reduce((sum, t) => sum + 4 * (1 + t), 0));
    expect(events.filter((e) => e.ph === "M")).toHaveLength(4);
  });
  it("writes dv_trace.json: A + B + Σ(A + B·T) events", () => {
    const cwd = mkdtempSync(join(tmpdir(), "llmsim-dv-"));
    const trace = join(dejavuDir, "tiny_trace.json");
    const args = [
      "--num_prompt_machines",
      "2",
      "--num_token_machines",
      "3",
      "--trace_file",
      trace,
      "--do_traces",
    ];
    expect(llmsim(["dejavu", "dv", ...args], cwd).code).toBe(0);
    const events = JSON.parse(readFileSync(join(cwd, "dv_trace.json"), "utf8")) as unknown[];
    const tokens = (JSON.parse(readFileSync(trace, "utf8")) as number[][]).map(([, t]) =>
      Math.min(1000, Math.max(2, t as number)),
    );
    expect(events).toHaveLength(5 + tokens.reduce((sum, t) => sum + 2 + 3 * t, 0));
  });
});

describe("llmsim dejavu rejects bad input with exit code 2 and no stack trace", () => {
  const dir = mkdtempSync(join(tmpdir(), "llmsim-dv-bad-"));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  /** A planner run on the reference trace and model_info.json. */
  const referencePlan = (model: string) => [
    ...["plan", "--trace_file", join(dejavuDir, "lmsys_like_tokens.json")],
    ...["--config_file", join(dejavuDir, "model_info.json"), "--model", model],
  ];
  const cases: [string, string[], RegExp][] = [
    [
      "fewer entries than stages",
      ["baseline", "--num_machines", "8", "--trace_file", join(dejavuDir, "tiny_trace.json")],
      /tiny_trace\.json.*6 entries.*at least 8/,
    ],
    [
      "zero machines",
      ["baseline", "--num_machines", "0", "--trace_file", join(dejavuDir, "tiny_trace.json")],
      /--num_machines.*integer >= 1/,
    ],
    [
      "negative counts",
      ["dv", "--trace_file", file("negative.json", "[[1, 2], [3, -4]]")],
      /negative\.json.*entry 1: num_generated_tokens/,
    ],
    ["non-numeric counts", ["dv", "--trace_file", file("text.json", '[[1, "many"]]')], /text\.json.*entry 0/],
    [
      "wrong shape",
      ["baseline", "--trace_file", file("shape.json", '{"trace": []}')],
      /shape\.json.*JSON list/,
    ],
    [
      "not JSON",
      ["baseline", "--trace_file", file("broken.json", "[[1, 2],")],
      /broken\.json.*not valid JSON/,
    ],
    ["missing file", ["baseline", "--trace_file", join(dir, "absent.json")], /file not found/],
    ["no trace", ["baseline"], /--trace_file.*required/],
    [
      "negative rps",
      ["baseline", "--rps", "-1", "--trace_file", join(dejavuDir, "tiny_trace.json")],
      /--rps.*>= 0/,
    ],
    [
      "plan: model missing from model_info",
      [
        "plan",
        "--trace_file",
        join(dejavuDir, "lmsys_like_tokens.json"),
        "--config_file",
        file("info.json", '{"OPT-30B": {"batch_sizes": [2], "measurements_per_bs": {"2": [1, 1]}}}'),
        "--model",
        "OPT-66B",
        "--output_csv",
        "out.csv",
      ],
      /info\.json.*"OPT-66B" is not in the file.*OPT-30B/,
    ],
    ["plan: model without memory figures", referencePlan("GPT-5"), /no weight and KV sizes for "GPT-5"/],
    [
      "plan: trace too short",
      [
        "plan",
        "--trace_file",
        join(dejavuDir, "tiny_trace.json"),
        "--config_file",
        join(dejavuDir, "model_info.json"),
        "--model",
        "OPT-66B",
        "--output_csv",
        "out.csv",
      ],
      /tiny_trace\.json.*6 entries.*at least 16/,
    ],
    [
      "plan: malformed timings",
      [
        "plan",
        "--trace_file",
        join(dejavuDir, "lmsys_like_tokens.json"),
        "--config_file",
        file("bad-info.json", '{"OPT-66B": {"batch_sizes": [8], "measurements_per_bs": {"8": ["slow", 1]}}}'),
        "--model",
        "OPT-66B",
        "--output_csv",
        "out.csv",
      ],
      /bad-info\.json.*measurements_per_bs\.8/,
    ],
    [
      "plan: batch sizes out of order",
      [
        "plan",
        "--trace_file",
        join(dejavuDir, "lmsys_like_tokens.json"),
        "--config_file",
        file(
          "desc.json",
          '{"OPT-66B": {"batch_sizes": [16, 8], "measurements_per_bs": {"16": [2, 1], "8": [1, 1]}}}',
        ),
        "--model",
        "OPT-66B",
        "--output_csv",
        "out.csv",
      ],
      /desc\.json.*batch_sizes: must be in increasing order, got \[16,8\]/,
    ],
    [
      "plan: an engine option without --physics llmsim",
      [...referencePlan("OPT-66B"), "--gpus_per_machine", "4"],
      /--gpus_per_machine is for --physics llmsim/,
    ],
    [
      "plot: zero machines",
      [
        "plot",
        "--input",
        file(
          "zero.csv",
          "Num_machines,Baseline,Baseline_dp,DV,Cost_baseline,Cost_baseline_dp,Cost_dv\n0,1,1,1,1,1,1\n",
        ),
      ],
      /zero\.csv.*Num_machines must be an integer from 1 to 100,000, got 0/,
    ],
    [
      "plot: not a planner CSV",
      ["plot", "--input", file("x.csv", "a,b\n1,2\n")],
      /x\.csv.*missing Num_machines/,
    ],
    [
      "a trace written into a directory",
      [
        ...["baseline", "--num_machines", "2", "--do_traces", "--trace_out", dir],
        ...["--trace_file", join(dejavuDir, "tiny_trace.json")],
      ],
      /--trace_out.*must end in \.json/,
    ],
    [
      "14 stages traced",
      ["baseline", "--num_machines", "14", "--do_traces", "--trace_file", join(dejavuDir, "tiny_trace.json")],
      /at most 13 stages/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const result = llmsim(["dejavu", ...args], dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
      expect(existsSync(join(dir, "baseline_trace.json"))).toBe(false);
      expect(existsSync(join(dir, "out.csv")) || existsSync(join(dir, "out.json"))).toBe(false);
    });
  }
});
