import type { SweepBlock } from "../analysis/sweep.ts";
import type { EpColumn } from "../analysis/views.ts";

export interface SweepChartOptions {
  /** Column plotted on the y axis (e.g. "Total"). */
  readonly metric: EpColumn;
  /** One line per batch size or per EP size. */
  readonly lineBy: "BatchSize" | "EP";
  /** Keep only this EP (lineBy BatchSize) or batch size (lineBy EP); otherwise the best over it. */
  readonly fixed?: number;
  /** Label of the swept input (x axis), e.g. "seq_len". */
  readonly xLabel: string;
  readonly title?: string;
}

/** One point of the chart: the best metric for (GPU, swept value, series). */
export interface SweepPoint {
  readonly gpu: string;
  readonly x: number;
  readonly series: string;
  readonly y: number;
}

/**
 * Points of a sweep chart: per (GPU, value, series) the highest metric among the rows, after the
 * optional filter on the other dimension. Ordered by GPU (first appearance), series, x.
 */
export function sweepChartPoints(blocks: readonly SweepBlock[], options: SweepChartOptions): SweepPoint[] {
  const other = options.lineBy === "BatchSize" ? "EP" : "BatchSize";
  const best = new Map<string, SweepPoint>();
  for (const block of blocks) {
    for (const row of block.rows) {
      if (options.fixed !== undefined && row[other] !== options.fixed) continue;
      const series = String(row[options.lineBy]);
      const key = `${row.GPU}\u0000${block.value}\u0000${series}`;
      const y = row[options.metric] as number;
      const current = best.get(key);
      if (!current || y > current.y) best.set(key, { gpu: row.GPU, x: block.value, series, y });
    }
  }
  return [...best.values()];
}

/**
 * A Vega-Lite spec: metric vs the swept input, one panel per GPU, one line per batch size or EP
 * (seed 000's seq.png). Plain JSON: the CLI renders it to SVG/PNG, the web app embeds it.
 */
export function sweepChartSpec(
  points: readonly SweepPoint[],
  options: SweepChartOptions,
): Record<string, unknown> {
  const seriesOrder = [...new Set(points.map((p) => p.series))].sort((a, b) => Number(a) - Number(b));
  const gpuOrder = [...new Set(points.map((p) => p.gpu))];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(options.title ? { title: options.title } : {}),
    data: { values: points },
    facet: { field: "gpu", type: "nominal", title: null, sort: gpuOrder },
    columns: 3,
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 260,
      height: 170,
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: {
        x: { field: "x", type: "quantitative", title: options.xLabel },
        y: { field: "y", type: "quantitative", title: options.metric },
        color: {
          field: "series",
          type: "nominal",
          title: options.lineBy,
          sort: seriesOrder,
          scale: { scheme: "tableau10" },
        },
      },
    },
    config: { font: "DejaVu Sans", background: "white", view: { stroke: "#ddd" } },
  };
}
