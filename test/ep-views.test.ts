import { describe, expect, it } from "vitest";
import { type DecodeSweepSpec, decodeSweep } from "../src/core/analysis/decode-sweep.ts";
import { shallowsimGpuTable, sweepGpuFromTableRow } from "../src/core/analysis/gpus.ts";
import { decodeSweepOver, parseSweep, withLayerCount, withTopK } from "../src/core/analysis/sweep.ts";
import { bestPerGroup, gpuView, summaryView } from "../src/core/analysis/views.ts";
import { epReportHtml } from "../src/core/report/ep-report.ts";
import { simulateStep } from "../src/core/step/simulate.ts";
import { model } from "./helpers/fixtures.ts";

const v3 = model("deepseek-ai/DeepSeek-V3");
const spec = (fp8Combine: boolean): DecodeSweepSpec => ({
  model: v3,
  gpus: shallowsimGpuTable("head").map((row) => sweepGpuFromTableRow(row, "gpu_info.csv")),
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

describe("views over the EP decode table", () => {
  it("summaryView keeps exact ties as ShallowSim does: 73 rows with fp8 combine, 78 without (SPEC §4.6)", () => {
    expect(summaryView(decodeSweep(spec(true)))).toHaveLength(73);
    expect(summaryView(decodeSweep(spec(false)))).toHaveLength(78);
  });

  it("summaryView is sorted by Total descending and holds each group's maximum", () => {
    const rows = decodeSweep(spec(true));
    const summary = summaryView(rows);
    for (let i = 1; i < summary.length; i++)
      expect(summary[i - 1]?.Total).toBeGreaterThanOrEqual(summary[i]?.Total ?? 0);
    const h800 = rows.filter((r) => r.GPU === "H800" && r.BatchSize === 128);
    expect(summary.find((r) => r.GPU === "H800" && r.BatchSize === 128)?.Total).toBe(
      Math.max(...h800.map((r) => r.Total)),
    );
  });

  it("gpuView filters one GPU by TPS limit and keeps the best row per (BatchSize, EP) by the sort column", () => {
    const view = gpuView(decodeSweep(spec(true)), {
      gpu: "GB300-NVL72",
      tpsLimit: 20,
      sortBy: "Total",
      ascending: false,
    });
    expect(view.every((r) => r.GPU === "GB300-NVL72" && r.TPS > 20)).toBe(true);
    expect(view[0]).toMatchObject({ TP: 4, EP: 72, BatchSize: 256 });
    const byTpot = gpuView(decodeSweep(spec(true)), {
      gpu: "H800",
      tpsLimit: 0,
      ep: 144,
      sortBy: "TPOT",
      ascending: true,
    });
    expect(byTpot.every((r) => r.EP === 144)).toBe(true);
    for (let i = 1; i < byTpot.length; i++)
      expect(byTpot[i - 1]?.TPOT).toBeLessThanOrEqual(byTpot[i]?.TPOT ?? 0);
  });

  it("the styled report has bars on TPS and Total, red positive Delta, a Comm_Impact gradient", () => {
    const rows = decodeSweep({ ...spec(false), gpus: spec(false).gpus.filter((g) => g.name === "H800") });
    const html = epReportHtml(rows, "H800 <test>");
    expect(html).toContain("H800 &lt;test&gt;");
    expect(html).toMatch(/linear-gradient\(90deg, #6495ED 100\.0%/);
    expect(rows.some((r) => r.Delta > 0)).toBe(true);
    expect(html).toContain('style="color: red"');
    expect(html).toMatch(/background: rgb\(214, 39, 40\)/);
    expect(html.match(/<tr><th>\d+<\/th>/g)).toHaveLength(rows.length);
  });
});

describe("sweeps", () => {
  it("parseSweep follows Python's range (STOP exclusive) and rejects bad input", () => {
    const ok = parseSweep("seq-len=1024:16384:32");
    expect(ok.ok && ok.sweep.values.length).toBe(480);
    expect(ok.ok && ok.sweep.values.at(-1)).toBe(16352);
    expect(ok.ok && ok.sweep.column).toBe("seq_len");
    const topK = parseSweep("top-k=4:10:2");
    expect(topK.ok && topK.sweep.values).toEqual([4, 6, 8]);
    expect(parseSweep("warp-speed=1:2:1").ok).toBe(false);
    expect(parseSweep("seq-len=10:10:1").ok).toBe(false);
    expect(parseSweep("seq-len=1:100:0").ok).toBe(false);
    expect(parseSweep("seq-len=1.5:100:1").ok).toBe(false);
    expect(parseSweep("seq-len").ok).toBe(false);
  });

  it("each block is the best row per (GPU, BatchSize, EP) of the full table at that value, smallest TP on ties", () => {
    const sweep = parseSweep("seq-len=4383:4384:1");
    if (!sweep.ok) throw new Error("bad sweep");
    const [block] = decodeSweepOver(spec(true), sweep.sweep);
    const full = bestPerGroup(decodeSweep(spec(true)), (r) => `${r.GPU}|${r.BatchSize}|${r.EP}`, "Total");
    const firstPerGroup = new Map<string, (typeof full)[number]>();
    for (const row of full)
      if (!firstPerGroup.has(`${row.GPU}|${row.BatchSize}|${row.EP}`))
        firstPerGroup.set(`${row.GPU}|${row.BatchSize}|${row.EP}`, row);
    expect(block?.rows.map((r) => `${r.GPU}|${r.TP}|${r.EP}|${r.BatchSize}`)).toEqual(
      [...firstPerGroup.values()].map((r) => `${r.GPU}|${r.TP}|${r.EP}|${r.BatchSize}`),
    );
  });

  it("top-k and layer-count sweeps change the model as ShallowSim's ModelArgs would", () => {
    expect(withTopK(v3, 4).moe?.topK).toBe(4);
    const deeper = withLayerCount(v3, 71);
    expect(deeper.layers.filter((l) => l.ffn === "dense")).toHaveLength(3);
    expect(deeper.layers).toHaveLength(71);
    const fewer = decodeSweep({ ...spec(true), model: withTopK(v3, 4), gpus: spec(true).gpus.slice(0, 1) });
    const more = decodeSweep({ ...spec(true), model: withTopK(v3, 8), gpus: spec(true).gpus.slice(0, 1) });
    expect(fewer[0]?.Dispatch).toBeLessThan(more[0]?.Dispatch ?? 0);
  });
});

describe("any MoE model of the catalog", () => {
  for (const id of [
    "Qwen/Qwen3-30B-A3B",
    "mistralai/Mixtral-8x7B-v0.1",
    "moonshotai/Kimi-K2-Instruct",
    "openai/gpt-oss-120b",
    "deepseek-ai/DeepSeek-V2-Lite",
  ]) {
    it(`${id}: both physics give finite, positive rows`, () => {
      for (const physics of ["llmsim", "shallowsim"] as const) {
        const rows = decodeSweep({
          ...spec(true),
          model: model(id),
          physics,
          eps: [8, 16, 64],
          overlap: "two-micro-batch",
        });
        expect(rows.length, `${id} ${physics}`).toBeGreaterThan(0);
        for (const row of rows) {
          expect(Number.isFinite(row.TPOT) && row.TPOT > 0, `${id} ${physics} ${row.GPU}`).toBe(true);
          expect(row.Total).toBeGreaterThan(0);
        }
      }
    });
  }
});

describe("the llmsim physics is the engine's step", () => {
  const h800 = spec(true).gpus.find((g) => g.name === "H800");
  if (!h800) throw new Error("no H800 row");
  for (const overlap of ["none", "full", "two-micro-batch"] as const)
    for (const tp of [1, 4, 8])
      it(`TPOT equals simulateStep's latency (DeepSeek-V3, H800, EP 72, TP ${tp}, overlap ${overlap})`, () => {
        const [row] = decodeSweep({
          ...spec(true),
          gpus: [h800],
          batchSizes: [16],
          tps: [tp],
          eps: [72],
          physics: "llmsim",
          overlap,
        });
        // The table's row: 16 sequences per GPU, attention TP tp, EP 72 as 72/tp DP groups.
        const step = simulateStep({
          model: v3,
          hardware: h800.hardware,
          parallel: { tp, dp: 72 / tp, ep: 72 },
          workload: { prefill: null, decode: { sequences: 16 * tp, contextTokens: 4383 } },
          overlap,
        });
        expect(step.status).toBe("ok");
        expect(row?.TPOT).toBeCloseTo(step.totals?.latencyMs ?? Number.NaN, 9);
      });
});
