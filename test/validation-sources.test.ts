import { readdirSync, readFileSync } from "node:fs";
import { csvParseRows } from "d3-dsv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = new URL("../", import.meta.url).pathname;

interface Case {
  id: string;
  source: { row?: string };
  value: number;
  scenario: {
    serve?: {
      model: string;
      hardware: string;
      tp?: number;
      promptTokens: number;
      outputTokens: number;
      requests: number;
      weightDtype?: string;
      kvDtype?: string;
    };
  };
}

/** The header and the given 1-based line of a CSV file in the repository, as named fields. */
function csvRow(file: string, line: number): Record<string, string> {
  const lines = readFileSync(root + file, "utf8").split("\n");
  const [header, cells] = csvParseRows(`${lines[0]}\n${lines[line - 1] ?? ""}`) as [string[], string[]];
  return Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ""]));
}

const suites = readdirSync(`${root}validation`).filter((f) => f.endsWith(".yaml"));
const casesCitingReferenceCsv = suites.flatMap((file) =>
  (parse(readFileSync(`${root}validation/${file}`, "utf8")) as { cases: Case[] }).cases.filter((c) =>
    c.source.row?.match(/^data\/reference\/[\w.-]+\.csv:\d+$/),
  ),
);

describe("validation cases match the reference rows they cite", () => {
  it("covers the 14 anchors and TensorRT-LLM's 97 further runs", () => {
    const files = casesCitingReferenceCsv.map((c) => c.source.row?.split(":")[0]);
    expect(files.filter((f) => f === "data/reference/anchors.csv")).toHaveLength(14);
    expect(files.filter((f) => f === "data/reference/trtllm-perf-overview.csv")).toHaveLength(97);
  });
  for (const c of casesCitingReferenceCsv)
    it(c.id, () => {
      const [file, line] = (c.source.row as string).split(":") as [string, string];
      const row = csvRow(file, Number(line));
      if (file === "data/reference/anchors.csv") {
        expect(row.id).toBe(c.id);
        expect(Number(row.value)).toBe(c.value);
        return;
      }
      const serve = c.scenario.serve;
      expect(serve).toBeDefined();
      expect(Number(row.output_tokens_per_s_total)).toBe(c.value);
      expect([
        row.model,
        row.hardware,
        Number(row.tp),
        Number(row.isl),
        Number(row.osl),
        Number(row.num_requests),
        row.precision?.toLowerCase(),
      ]).toEqual([
        serve?.model,
        serve?.hardware,
        serve?.tp,
        serve?.promptTokens,
        serve?.outputTokens,
        serve?.requests,
        serve?.weightDtype,
      ]);
      // One KV-cache rule for every ModelOpt checkpoint of the table (docs/validation.md).
      expect(serve?.kvDtype).toBe("fp8");
    });
});
