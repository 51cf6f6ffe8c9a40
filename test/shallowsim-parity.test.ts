import { readFileSync } from "node:fs";
import { csvParse } from "d3-dsv";
import { describe, expect, it } from "vitest";
import { decodeSweep, type SweepGpu } from "../src/core/analysis/decode-sweep.ts";
import { EP_DECODE_COLUMNS, type EpDecodeRow } from "../src/core/analysis/ep-decode.ts";
import { PREFILL_ITEMS, prefillItemValue } from "../src/core/analysis/ep-prefill.ts";
import { shallowsimGpuTable, sweepGpuFromTableRow } from "../src/core/analysis/gpus.ts";
import { prefillBreakdown } from "../src/core/analysis/prefill-breakdown.ts";
import { model } from "./helpers/fixtures.ts";

const expected = (file: string) =>
  csvParse(readFileSync(new URL(`../data/reference/shallowsim-expected/${file}`, import.meta.url), "utf8"));
const relativeError = (a: number, b: number) =>
  a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
const v3 = model("deepseek-ai/DeepSeek-V3");
const headGpus: SweepGpu[] = shallowsimGpuTable("head").map((row) =>
  sweepGpuFromTableRow(row, "gpu_info.csv"),
);

const seedDecode = (fp8Combine: boolean) =>
  decodeSweep({
    model: v3,
    gpus: headGpus,
    batchSizes: [16, 32, 64, 128, 256, 512],
    tps: [1, 4, 8],
    eps: [8, 16, 36, 72, 144, 320],
    seqLen: 4383,
    decodeLen: 1210,
    fp8Combine,
    tpsLimit: 0,
    physics: "shallowsim",
    overlap: "none",
  });

describe("--preset shallowsim reproduces ShallowSim's decode table", () => {
  for (const [file, fp8Combine] of [
    ["decode_fp8_combine_H800_GB300-NVL72.csv", true],
    ["decode_fp16_combine_H800_GB300-NVL72.csv", false],
  ] as const) {
    it(`${file}: same rows, same order, every value within 1e-6 relative`, () => {
      const reference = expected(file);
      const mine = seedDecode(fp8Combine).filter((row) => row.GPU === "H800" || row.GPU === "GB300-NVL72");
      const key = (r: { GPU?: string; TP?: unknown; EP?: unknown; BatchSize?: unknown }) =>
        `${r.GPU}|${r.TP}|${r.EP}|${r.BatchSize}`;
      expect(mine.map(key)).toEqual(reference.map(key));
      let worst = 0;
      reference.forEach((ref, i) => {
        const row = mine[i] as EpDecodeRow;
        for (const column of EP_DECODE_COLUMNS) {
          if (column === "GPU") continue;
          worst = Math.max(worst, relativeError(Number(ref[column]), row[column]));
        }
      });
      expect(worst).toBeLessThan(1e-6);
    });
  }

  it("the full table has ShallowSim's 855 rows at default settings", () => {
    expect(seedDecode(true)).toHaveLength(855);
  });

  it("worked rows of SPEC §4.6: H800 TP1 EP144 bs128 and GB300-NVL72's best row", () => {
    const rows = seedDecode(true);
    const h800 = rows.find((r) => r.GPU === "H800" && r.TP === 1 && r.EP === 144 && r.BatchSize === 128);
    expect(h800?.TPOT).toBeCloseTo(42.4405, 4);
    expect(h800?.Total).toBeCloseTo(3015.99, 2);
    const gb300 = rows.find(
      (r) => r.GPU === "GB300-NVL72" && r.TP === 4 && r.EP === 72 && r.BatchSize === 256,
    );
    expect(gb300?.TPOT).toBeCloseTo(15.9758, 4);
    expect(gb300?.Total).toBeCloseTo(16024.26, 2);
  });
});

describe("--preset shallowsim reproduces seed 001's prefill table (initial-commit GPU file)", () => {
  const gpus = shallowsimGpuTable("initial")
    .filter((row) => ["DGX-B300", "DGX-B200", "H200", "H800"].includes(row.name))
    .map((row) => sweepGpuFromTableRow(row, "gpu_info initial commit"));
  const results = prefillBreakdown({
    model: v3,
    gpus,
    seqLen: 4383,
    kvCacheRate: 0.563,
    tp: 4,
    dp: 8,
    physics: "shallowsim",
    overlap: "none",
  });

  it("prefill_detail_seed4.csv within 1e-6 relative", () => {
    const detail = expected("prefill_detail_seed4.csv");
    for (const { gpu, breakdown } of results) {
      for (const item of PREFILL_ITEMS) {
        const ref = Number(detail.find((row) => row.Item === item)?.[gpu]);
        expect(relativeError(ref, prefillItemValue(breakdown, item)), `${gpu} ${item}`).toBeLessThan(1e-6);
      }
    }
  });

  it("prefill_summary_seed4.csv within 1e-6 relative, and the notebook's tokens/s per GPU", () => {
    const summary = expected("prefill_summary_seed4.csv");
    for (const { gpu, breakdown } of results) {
      for (const [item, value] of [
        ["Compute", breakdown.computeMs],
        ["Comm", breakdown.commMs],
        ["Sum", breakdown.sumMs],
      ] as const) {
        expect(
          relativeError(Number(summary.find((row) => row.Item === item)?.[gpu]), value),
          `${gpu} ${item}`,
        ).toBeLessThan(1e-6);
      }
    }
    expect(results.find((r) => r.gpu === "DGX-B300")?.breakdown.tokensPerSecPerGpu).toBeCloseTo(21998.5, 1);
    expect(results.find((r) => r.gpu === "H800")?.breakdown.tokensPerSecPerGpu).toBeCloseTo(6222.4, 1);
  });
});
