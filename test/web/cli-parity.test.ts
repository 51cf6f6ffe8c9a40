// The web explorer's engine side (web/src/engine/compute.ts, what the worker runs) against the CLI:
// for each view, the command the "copy as CLI command" button shows must print the same numbers.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderCsv } from "../../src/cli/format/table.ts";
import { formatIssue } from "../../src/core/issues.ts";
import { builtinHfConfig } from "../../src/core/model/catalog.ts";
import { cliCommand } from "../../web/src/cli-command.ts";
import { computeView } from "../../web/src/engine/compute.ts";
import {
  CUSTOM_MODEL,
  decodeState,
  defaultState,
  encodeState,
  type State,
  type View,
} from "../../web/src/state.ts";

const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;

/** Runs the command the web app shows for this view, in a directory holding the files it names. */
function runCli(view: View, state: State, format: "csv" | "json") {
  const command = cliCommand(view, state, format);
  const dir = mkdtempSync(join(tmpdir(), "llmsim-web-"));
  for (const file of command.files) writeFileSync(join(dir, file.name), file.text);
  const run = spawnSync(process.execPath, [bin, ...command.args], { cwd: dir, encoding: "utf8" });
  expect(run.stderr.replace(/llmsim: warning:.*\n/g, "")).toBe("");
  expect(run.status).toBe(0);
  return run.stdout;
}

function web(view: View, state: State): Record<string, unknown> {
  const outcome = computeView(view, state);
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.issues));
  return JSON.parse(JSON.stringify(outcome.data));
}

const with_ = (changes: Partial<State>): State => ({ ...defaultState(), ...changes });

describe("web engine = CLI", () => {
  it("step: the default scenario equals `llmsim step` with no flags (its built-in scenario)", () => {
    const state = defaultState();
    const cli = JSON.parse(runCli("step", state, "json"));
    expect(web("step", state).result).toEqual(cli);
    const bare = spawnSync(process.execPath, [bin, "step", "--json"], { encoding: "utf8" });
    expect(JSON.parse(bare.stdout).totals).toEqual(cli.totals);
  });

  for (const changes of [
    { model: "meta-llama/Llama-3.1-70B", hardware: "H100", tp: "8", dp: "1", ep: "1", batch: "32" },
    {
      model: "meta-llama/Llama-3.1-70B",
      hardware: "H100",
      tp: "8",
      dp: "1",
      ep: "1",
      batch: "1",
      allReduce: "custom",
    },
    { phase: "prefill", batch: "2", seq: "8192", tp: "8", dp: "4", ep: "32", overlap: "" },
    {
      hardware: "GB200-NVL72",
      dp: "72",
      ep: "72",
      kvDtype: "fp8",
      weightBlockSize: "none",
      scaleUpGBps: "1800",
      memoryUtilization: "0.85",
    },
  ] satisfies Partial<State>[]) {
    it(`step: ${JSON.stringify(changes)}`, () => {
      const state = with_(changes);
      const result = web("step", state).result as { dtypes: { weightBlockSize: unknown } };
      expect(result).toEqual(JSON.parse(runCli("step", state, "json")));
      // DeepSeek-V3's checkpoint blocks, unless the form says per tensor.
      expect(result.dtypes.weightBlockSize).toEqual(
        "weightBlockSize" in changes ? null : state.model.includes("DeepSeek") ? [128, 128] : null,
      );
    });
  }

  it("step: a pasted config.json and a custom accelerator run as --model config.json --hardware-file", () => {
    const config = builtinHfConfig("Qwen/Qwen3-32B")?.config;
    const state = with_({
      model: CUSTOM_MODEL,
      modelText: JSON.stringify(config, null, 2),
      hardwareText: JSON.stringify({
        name: "H100-half-hbm",
        denseTflops: { bf16: 989, fp8: 1979 },
        hbmGB: 80,
        hbmBandwidthGBps: 1675,
        scaleUp: { bandwidthGBps: 450, domainGpus: 8 },
        scaleOut: { bandwidthGBps: 50 },
      }),
      hardware: "H100-half-hbm",
      tp: "4",
      dp: "1",
      ep: "1",
      batch: "16",
    });
    const layers = web("step", state).layers as { head: string[]; rows: (string | number)[][] };
    expect(renderCsv(layers.head, layers.rows)).toBe(runCli("step", state, "csv"));
  });

  it("decode table (ShallowSim preset and llmsim physics): CSV equals decode-sweep --csv", () => {
    for (const preset of ["shallowsim", "llmsim"]) {
      const state = with_({ view: "decode", preset, gpus: "H800,H20,GB200-NVL72" });
      const data = web("decode", state) as { columns: string[]; rows: Record<string, string | number>[] };
      const csv = renderCsv(
        data.columns,
        data.rows.map((row) => data.columns.map((c) => row[c] as string | number)),
      );
      expect(csv).toBe(runCli("decode", state, "csv"));
    }
  });

  it("decode summary view equals decode-sweep --view summary", () => {
    const state = with_({ view: "decode", decodeView: "summary", preset: "shallowsim" });
    const data = web("decode", state) as { columns: string[]; summary: Record<string, string | number>[] };
    const csv = renderCsv(
      data.columns,
      data.summary.map((row) => data.columns.map((c) => row[c] as string | number)),
    );
    expect(csv).toBe(runCli("decode", state, "csv"));
  });

  it("prefill breakdown equals prefill-breakdown --csv", () => {
    const state = with_({ view: "prefill", preset: "shallowsim", prefillTp: "8", seqLen: "8192" });
    const data = web("prefill", state) as { detail: { head: string[]; rows: (string | number)[][] } };
    expect(renderCsv(data.detail.head, data.detail.rows)).toBe(runCli("prefill", state, "csv"));
  });

  it("sweep rows equal decode-sweep --sweep --csv", () => {
    const state = with_({
      view: "sweep",
      preset: "shallowsim",
      sweep: "seq-len=2048:8192:2048",
      gpus: "H800,H20",
    });
    const data = web("sweep", state) as { table: { head: string[]; rows: (string | number)[][] } };
    expect(renderCsv(data.table.head, data.table.rows)).toBe(runCli("sweep", state, "csv"));
  });

  it("compare equals llmsim compare --json", () => {
    const state = with_({ view: "compare", bHardware: "H20", bBatch: "32" });
    const cli = JSON.parse(runCli("compare", state, "json"));
    expect(web("compare", state).comparison).toEqual(cli.comparison);
  });

  it("a shared URL fragment restores the same state", () => {
    const state = with_({ view: "decode", preset: "shallowsim", tps: "4,8", modelText: '{"a": "b c"}' });
    const fragment = encodeState(state);
    expect(fragment).not.toContain("batchSizes");
    expect(decodeState(`#${fragment}`)).toEqual(state);
    expect(decodeState("#view=nonsense&bogus=1")).toEqual(defaultState());
  });
});

describe("web engine input errors are the CLI's", () => {
  it("a config.json missing a field names the file, line and field", () => {
    const config = {
      ...(builtinHfConfig("meta-llama/Llama-3.1-8B")?.config as object),
      num_attention_heads: "many",
    };
    const state = with_({
      model: CUSTOM_MODEL,
      modelText: JSON.stringify(config, null, 2),
      tp: "1",
      dp: "1",
      ep: "1",
    });
    const outcome = computeView("step", state);
    expect(outcome.ok).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), "llmsim-web-"));
    writeFileSync(join(dir, "config.json"), state.modelText);
    const cli = spawnSync(process.execPath, [bin, ...cliCommand("step", state).args], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(cli.status).toBe(2);
    if (!outcome.ok) {
      const messages = outcome.issues.map((i) => `llmsim: error: ${formatIssue(i)}`).join("\n");
      expect(cli.stderr.replaceAll(`${dir}/`, "").trim()).toBe(messages);
      expect(messages).toMatch(/config\.json:\d+:\d+: num_attention_heads/);
    }
  });

  it("a scenario field out of range is reported on its path", () => {
    const outcome = computeView("step", with_({ tp: "0" }));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.issues[0]?.path).toEqual(["tp"]);
  });
});

describe("web engine = CLI (serving and planning)", () => {
  it("serve: the summary equals llmsim serve --json (aggregated, burst arrivals and disaggregated)", () => {
    for (const changes of [
      { view: "serve", requests: "200", rate: "8" },
      // Every request at time 0: the form's rate does not apply, and the command leaves it out.
      { view: "serve", requests: "120", rate: "8", arrival: "burst" },
      { view: "serve", requests: "100", rate: "8", serveTp: "2", serveAllReduce: "custom" },
      {
        view: "serve",
        serveMode: "disaggregated",
        prefillReplicas: "1",
        decodeReplicas: "2",
        requests: "150",
        sloTtftMs: "500",
      },
    ] satisfies Partial<State>[]) {
      const state = with_(changes);
      expect(web("serve", state).json).toEqual(JSON.parse(runCli("serve", state, "json")));
    }
  });

  it("serve: a custom all-reduce on a TP group wider than the machine is reported, as the CLI does", () => {
    const state = with_({
      view: "serve",
      requests: "60",
      rate: "4",
      serveTp: "16",
      serveAllReduce: "custom",
    });
    const json = web("serve", state).json as { warnings: string[] };
    expect(json.warnings).toEqual([
      "custom all-reduce is ignored: the TP group spans 2 scale-up domains, so its all-reduces run on NCCL",
    ]);
    expect(json).toEqual(JSON.parse(runCli("serve", state, "json")));
  });

  it("serve with a pasted config.json and a custom accelerator equals serve --model config.json --hardware-file", () => {
    const state = with_({
      view: "serve",
      serveModel: CUSTOM_MODEL,
      modelText: JSON.stringify(builtinHfConfig("Qwen/Qwen3-0.6B")?.config),
      hardwareText:
        "name: L4-like\ndenseTflops: {bf16: 121, fp8: 242}\nhbmGB: 24\nhbmBandwidthGBps: 300\nscaleOut: {bandwidthGBps: 25}\n",
      serveHardware: "L4-like",
      requests: "100",
      rate: "4",
    });
    expect(web("serve", state).json).toEqual(JSON.parse(runCli("serve", state, "json")));
  });

  it("decode table with a custom accelerator among the GPUs equals decode-sweep --hardware-file", () => {
    const state = with_({
      view: "decode",
      gpus: "H800,H800-fast",
      hardwareText: JSON.stringify({
        name: "H800-fast",
        denseTflops: { bf16: 989, fp8: 1979 },
        hbmGB: 80,
        hbmBandwidthGBps: 6700,
        scaleUp: { bandwidthGBps: 400, domainGpus: 8 },
        scaleOut: { bandwidthGBps: 50 },
      }),
    });
    const data = web("decode", state) as { columns: string[]; rows: Record<string, string | number>[] };
    const csv = renderCsv(
      data.columns,
      data.rows.map((row) => data.columns.map((c) => row[c] as string | number)),
    );
    expect(csv).toBe(runCli("decode", state, "csv"));
    expect(data.rows.some((row) => row.GPU === "H800-fast")).toBe(true);
  });

  it("plan with a pasted config.json equals plan --model config.json", () => {
    const state = with_({
      view: "plan",
      planModel: CUSTOM_MODEL,
      modelText: JSON.stringify(builtinHfConfig("meta-llama/Llama-3.1-8B")?.config),
      planHardware: "H100-SXM",
      planGpus: "4",
    });
    expect(web("plan", state).json).toEqual(JSON.parse(runCli("plan", state, "json")));
  });

  it("plan: the result equals llmsim plan --json", () => {
    const state = with_({
      view: "plan",
      planModel: "meta-llama/Llama-3.1-8B",
      planHardware: "H100-SXM,H20",
      planGpus: "8",
    });
    expect(web("plan", state).json).toEqual(JSON.parse(runCli("plan", state, "json")));
  });
});

describe("the web accepts exactly the values the shown command accepts", () => {
  const cases: [View, Partial<State>][] = [
    ["step", { tp: "0x1" }],
    ["step", { tp: "1e0" }],
    ["step", { batch: "64.0" }],
    ["step", { batch: " 32 " }],
    ["step", { tp: "abc" }],
    ["step", { kvDtype: "fp9" }],
    ["step", { phase: "decode " }],
    ["decode", { seqLen: "4383.5" }],
    ["decode", { decodeLen: "0x10" }],
    ["decode", { tps: "1, 4" }],
    ["prefill", { prefillTp: "4.0" }],
    ["prefill", { seqLen: "" }],
    ["prefill", { kvCacheRate: "1.5" }],
    ["serve", { requests: "50", serveTp: "1.0" }],
    ["serve", { requests: "50", rate: "0" }],
    ["plan", { planModel: "meta-llama/Llama-3.1-8B", planGpus: "8.0" }],
    ["plan", { planModel: "meta-llama/Llama-3.1-8B", planGpus: "H100-SXM=8" }],
    ["compare", { bHardware: "", bTp: "0x2" }],
    ["sweep", { sweepBy: "gpu" }],
    ["compare", { bHardware: "" }],
  ];
  for (const [view, changes] of cases) {
    it(`${view} ${JSON.stringify(changes)}`, () => {
      const state = with_({ view, ...changes });
      const outcome = computeView(view, state);
      const command = cliCommand(view, state, "json");
      const dir = mkdtempSync(join(tmpdir(), "llmsim-web-"));
      const run = spawnSync(process.execPath, [bin, ...command.args], { cwd: dir, encoding: "utf8" });
      expect({ web: outcome.ok, cli: run.status === 0 }).toEqual({
        web: run.status === 0,
        cli: run.status === 0,
      });
      if (!outcome.ok) {
        expect(run.status).toBe(2);
        // The issue names the field the case changed last (the form marks that input).
        const field = Object.keys(changes).at(-1);
        expect(outcome.issues.map((i) => i.path[0])).toContain(field);
      }
    });
  }
});
