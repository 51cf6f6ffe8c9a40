import { describe, expect, it } from "vitest";
import type { EpDecodeRow } from "../src/core/analysis/ep-decode.ts";
import type { SweepBlock } from "../src/core/analysis/sweep.ts";
import { sweepChartPoints, sweepChartSpec } from "../src/core/report/sweep-chart.ts";
import { svgToPng, vegaLiteToSvg } from "../src/io/render-chart.ts";

/** A tiny sweep: two GPUs, two batch sizes, two EP sizes, three values, Total = f(value). */
function blocks(): SweepBlock[] {
  return [1024, 2048, 4096].map((value) => ({
    value,
    rows: ["GPU-A", "GPU-B"].flatMap((gpu, g) =>
      [16, 64].flatMap((batch) =>
        [8, 72].map(
          (ep) =>
            ({
              GPU: gpu,
              TP: 1,
              EP: ep,
              BatchSize: batch,
              Total: (batch * 1000 * (g + 1)) / Math.sqrt(value) + ep,
            }) as unknown as EpDecodeRow,
        ),
      ),
    ),
  }));
}

/** Rounds every number in an SVG to one decimal so goldens survive float noise. */
const normalize = (svg: string) => svg.replace(/-?\d+\.\d+/g, (n) => Number(n).toFixed(1));

describe("sweep chart", () => {
  it("sweepChartPoints keeps the best metric per (GPU, value, series), or one fixed EP", () => {
    const options = { metric: "Total", lineBy: "BatchSize", xLabel: "seq_len" } as const;
    const best = sweepChartPoints(blocks(), options);
    expect(best).toHaveLength(2 * 3 * 2);
    expect(best.find((p) => p.gpu === "GPU-A" && p.x === 1024 && p.series === "16")?.y).toBeCloseTo(
      16000 / 32 + 72,
      9,
    );
    const fixed = sweepChartPoints(blocks(), { ...options, fixed: 8 });
    expect(fixed.find((p) => p.gpu === "GPU-A" && p.x === 1024 && p.series === "16")?.y).toBeCloseTo(
      16000 / 32 + 8,
      9,
    );
  });

  it("renders to the golden SVG (one panel per GPU, one line per batch size)", async () => {
    const options = { metric: "Total", lineBy: "BatchSize", xLabel: "seq_len" } as const;
    const svg = await vegaLiteToSvg(sweepChartSpec(sweepChartPoints(blocks(), options), options));
    expect(svg).toContain("GPU-A");
    expect(svg).toContain("seq_len");
    await expect(normalize(svg)).toMatchFileSnapshot("golden/sweep-chart.svg");
  });

  it("rasterizes to a PNG", async () => {
    const options = { metric: "Total", lineBy: "EP", xLabel: "seq_len" } as const;
    const png = svgToPng(
      await vegaLiteToSvg(sweepChartSpec(sweepChartPoints(blocks(), options), options)),
      600,
    );
    expect(png.subarray(1, 4).toString("ascii")).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(600);
  });
});
