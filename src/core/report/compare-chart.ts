import type { ComponentDelta } from "../analysis/compare-steps.ts";

/**
 * Where scenario B's time goes relative to A, as Vega-Lite: one horizontal bar per component (ms,
 * B minus A; positive = B slower), largest first. Plain JSON for the CLI and the web app.
 */
export function compareChartSpec(rows: readonly ComponentDelta[], title?: string): Record<string, unknown> {
  const values = rows
    .filter((r) => r.deltaMs !== 0)
    .map((r, order) => ({ ...r, order, sign: r.deltaMs > 0 ? "B slower" : "B faster" }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(title ? { title } : {}),
    width: 420,
    height: { step: 16 },
    data: { values },
    mark: { type: "bar" },
    encoding: {
      y: {
        field: "component",
        type: "nominal",
        sort: { field: "order" },
        title: null,
        axis: { labelLimit: 220 },
      },
      x: { field: "deltaMs", type: "quantitative", title: "B - A (ms per step)" },
      color: {
        field: "sign",
        type: "nominal",
        title: null,
        scale: { domain: ["B slower", "B faster"], range: ["#e15759", "#59a14f"] },
      },
      tooltip: [
        { field: "component", type: "nominal" },
        { field: "aMs", type: "quantitative", title: "A (ms)", format: ".4f" },
        { field: "bMs", type: "quantitative", title: "B (ms)", format: ".4f" },
        { field: "deltaMs", type: "quantitative", title: "B - A (ms)", format: ".4f" },
      ],
    },
    config: { font: "DejaVu Sans", background: "white", view: { stroke: "#ddd" } },
  };
}
