import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { issuesOf } from "../../test/helpers/issues.ts";
import { reportIssues } from "../cli/errors.ts";
import { HardwareRegistry } from "../core/hardware/catalog.ts";
import type { Issue } from "../core/issues.ts";
import { builtinModel } from "../core/model/catalog.ts";
import { planSpecFromScenario, readPriceFile } from "../io/plan-input.ts";
import { type PlanParts, parsePriceTable, planSpecFromParts } from "./plan-request.ts";
import { type PlanScenario, planScenarioSchema } from "./schema/plan.ts";

const scenarioOf = (fields: Record<string, unknown>): PlanScenario =>
  planScenarioSchema.parse({
    model: "meta-llama/Llama-3.1-8B",
    hardware: ["H100", "H200"],
    gpus: 16,
    isl: 1000,
    osl: 200,
    ...fields,
  });

const model = (id = "meta-llama/Llama-3.1-8B") => {
  const built = builtinModel(id);
  if (!built.ok) throw new Error(`no built-in ${id}`);
  return built.model;
};
const catalog: PlanParts = { model: model(), registry: new HardwareRegistry() };

/** The lines `llmsim plan` prints for the issues. */
const cliLines = (issues: readonly Issue[]): string[] => {
  let text = "";
  reportIssues(issues, (t) => {
    text += t;
  });
  return text.trimEnd().split("\n");
};

const dir = mkdtempSync(join(tmpdir(), "llmsim-plan-request-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("planSpecFromParts", () => {
  it("gives the spec the CLI's loader gives, for built-in names (defaults, prices, objective)", () => {
    for (const fields of [
      {},
      { ttftMs: 400, tpotMs: 12, recheck: 2, recheckRequests: 300 },
      {
        gpus: { H100: 8, H200: 4 },
        prices: { H200: 3.1 },
        modes: ["disaggregated"],
        kvDtype: ["bf16", "fp8"],
      },
      { hardware: ["H100", "H20"], isl: "lmsys", osl: "lognormal:200:0.5", rate: 20, seed: 3 },
    ]) {
      const scenario = scenarioOf(fields);
      expect(planSpecFromParts(scenario, catalog)).toEqual(planSpecFromScenario(scenario));
    }
    const deepseek = planScenarioSchema.parse({
      model: "deepseek-ai/DeepSeek-V3",
      hardware: ["H800", "H20", "GB200-NVL72"],
      gpus: 64,
      isl: 4096,
      osl: 1024,
      ttftMs: 2000,
      tpotMs: 50,
      percentile: 90,
    });
    const spec = planSpecFromParts(deepseek, {
      model: model("deepseek-ai/DeepSeek-V3"),
      registry: new HardwareRegistry(),
    });
    expect(spec).toEqual(planSpecFromScenario(deepseek));
    expect(spec.objective).toBe("throughput");
  });

  it("a trace's requests and a price file's prices, given as parts, equal the files read from disk", () => {
    const lines = Array.from({ length: 50 }, (_, i) => `${i * 0.1},${800 + 10 * i},${100 + i}`);
    const traceFile = file(
      "trace.csv",
      `arrived_at,num_prefill_tokens,num_decode_tokens\n${lines.join("\n")}\n`,
    );
    const priceFile = file("prices.csv", "hardware,usd_per_gpu_hour\nH100,1.5\n");
    const scenario = scenarioOf({ traceFile, priceFile, prices: { H200: 3.1 } });
    const spec = planSpecFromParts(scenario, {
      ...catalog,
      trace: {
        arrivalSec: lines.map((l) => Number(l.split(",")[0])),
        promptTokens: lines.map((l) => Number(l.split(",")[1])),
        outputTokens: lines.map((l) => Number(l.split(",")[2])),
      },
      filePrices: parsePriceTable("hardware,usd_per_gpu_hour\nH100,1.5\n", "prices.csv"),
    });
    expect(spec).toEqual(planSpecFromScenario(scenario));
    expect(spec.pricesUsdPerGpuHour).toEqual([1.5, 3.1]);
    expect(spec.ratePerSec).toBeCloseTo(10, 9);
    expect(spec.lengths.kind).toBe("trace");
  });

  it("a bad hardware name gives the issue (and the CLI's line) it always gave", () => {
    const scenario = scenarioOf({ hardware: ["H1OO"], gpus: 8 });
    const issues = issuesOf(() => planSpecFromParts(scenario, catalog));
    expect(issues).toEqual(issuesOf(() => planSpecFromScenario(scenario)));
    expect(issues.map((i) => [i.code, i.path])).toEqual([["unknown-id", ["hardware"]]]);
    expect(cliLines(issues)).toEqual([
      'llmsim: error: hardware: unknown accelerator "H1OO"; see `llmsim hardware` for the catalog, or pass --hardware-file (did you mean: H100, A100, H20?)',
    ]);
  });

  it("every problem at once, in the same order with the same paths and messages as before", () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [
        { hardware: ["H1OO", "H100"], gpus: { H100: 4, B200: 2 }, prices: { H300: 1 } },
        [
          'llmsim: error: hardware: unknown accelerator "H1OO"; see `llmsim hardware` for the catalog, or pass --hardware-file (did you mean: H100, A100, H20?)',
          `llmsim: error: gpus.B200: "B200" is not among the plan's hardware (did you mean: H100-SXM?)`,
          `llmsim: error: price.H300: "H300" is not among the plan's hardware (did you mean: H100-SXM?)`,
        ],
      ],
      [
        { hardware: ["H100"], gpus: { H200: 4, H100: 2 } },
        [`llmsim: error: gpus.H200: "H200" is not among the plan's hardware (did you mean: H100-SXM?)`],
      ],
      [
        { hardware: ["H20"], gpus: 8, objective: "cost" },
        [
          "llmsim: error: price: the cost objective needs a $/GPU-hour for H20 (give --price NAME=USD or a price file)",
        ],
      ],
      [
        { hardware: ["H100", "H200"], gpus: { H100: 4 } },
        ["llmsim: error: gpus.H200-SXM: a per-hardware budget must give every planned hardware a count"],
      ],
    ];
    for (const [fields, lines] of cases) {
      const scenario = scenarioOf(fields);
      const issues = issuesOf(() => planSpecFromParts(scenario, catalog));
      expect(issues).toEqual(issuesOf(() => planSpecFromScenario(scenario)));
      expect(cliLines(issues)).toEqual(lines);
    }
  });

  it("a price file's unknown hardware is named under priceFile", () => {
    const scenario = scenarioOf({ priceFile: file("other.yaml", "B200: 4\n") });
    const issues = issuesOf(() =>
      planSpecFromParts(scenario, { ...catalog, filePrices: new Map([["B200", 4]]) }),
    );
    expect(issues).toEqual(issuesOf(() => planSpecFromScenario(scenario)));
    expect(issues.map((i) => i.path)).toEqual([["priceFile", "B200"]]);
  });

  it("a scenario naming a trace or price file whose contents were not given says so", () => {
    const issues = issuesOf(() =>
      planSpecFromParts(scenarioOf({ traceFile: "trace.csv", priceFile: "prices.csv" }), catalog),
    );
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["missing-field", ["priceFile"]],
      ["missing-field", ["traceFile"]],
    ]);
    expect(issues[1]?.message).toMatch(/traceFile "trace.csv" is named but its contents were not given/);
  });
});

describe("parsePriceTable", () => {
  it("reads what readPriceFile reads, and fails the same way, naming the file and line", () => {
    const csv = "hardware,usd_per_gpu_hour\nH100,1.5\nH200, 3\n";
    expect(parsePriceTable(csv, "p.csv")).toEqual(readPriceFile(file("p.csv", csv)));
    expect(parsePriceTable("H800: 2\nH20: 1.1\n", "p.yaml")).toEqual(
      new Map([
        ["H800", 2],
        ["H20", 1.1],
      ]),
    );
    const bad = "hardware,usd_per_gpu_hour\nH100,abc\n";
    const issues = issuesOf(() => parsePriceTable(bad, "bad.csv"));
    expect(issues).toEqual([
      {
        code: "invalid-value",
        path: [],
        file: "bad.csv",
        line: 2,
        column: 1,
        message: 'price of H100: expected a number >= 0 ($ per GPU-hour), got "abc"',
      },
    ]);
    const path = file("bad.csv", bad);
    expect(issuesOf(() => readPriceFile(path))).toEqual(issues.map((i) => ({ ...i, file: path })));
    expect(issuesOf(() => parsePriceTable("name,cost\nH100,2\n", "h.csv"))[0]?.message).toMatch(
      /the header needs a hardware column and a price column/,
    );
    expect(issuesOf(() => parsePriceTable("H100: -2\n", "n.yaml"))[0]).toMatchObject({
      file: "n.yaml",
      line: 1,
      column: 7,
    });
  });
});
