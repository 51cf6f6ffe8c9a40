import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    });
  }
});
