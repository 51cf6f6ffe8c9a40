import type { Candidate } from "../plan/evaluate.ts";
import type { PlanGroup } from "../plan/summary.ts";

/**
 * The planner's chart as Vega-Lite: one panel per mode; in each, every hardware choice's Pareto
 * front of output tokens/s per GPU against tokens/s per user (1000/TPOT), one colour per choice;
 * the TPOT target as a dashed vertical line (points right of it meet it); the recommended
 * configuration ringed.
 */
export function paretoChartSpec(
  groups: readonly PlanGroup[],
  recommended: Candidate | null,
  tpotTargetMs: number | undefined,
  title?: string,
): Record<string, unknown> {
  const point = (c: Candidate, group: string, onFront: boolean) => ({
    user: c.tokensPerSecPerUser,
    gpu: c.tokensPerSecPerGpu,
    mode: c.mode,
    group,
    description: c.description,
    ttftMs: c.ttftMs,
    tpotMs: c.tpotMs,
    onFront,
    recommended: c.index === recommended?.index,
  });
  const values = groups.flatMap((g) => g.front.map((c) => point(c, g.label, true)));
  if (recommended) values.push(point(recommended, "recommended", false));
  const x = { field: "user", type: "quantitative", title: "output tokens/s per user (1000 / TPOT)" };
  const y = { field: "gpu", type: "quantitative", title: "output tokens/s per GPU" };
  const color = {
    field: "group",
    type: "nominal",
    title: "hardware",
    scale: { scheme: "tableau10" },
    legend: { orient: "top", direction: "vertical", labelLimit: 360 },
  };
  const onFront = { filter: "datum.onFront" };
  const layers: Record<string, unknown>[] = [
    {
      transform: [onFront],
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: { x, y, color, order: { field: "user" } },
    },
    {
      transform: [onFront],
      mark: { type: "point", filled: true, size: 50 },
      encoding: {
        x,
        y,
        color,
        tooltip: [
          { field: "description" },
          { field: "ttftMs", format: ".0f" },
          { field: "tpotMs", format: ".1f" },
        ],
      },
    },
    {
      transform: [{ filter: "datum.recommended" }],
      mark: { type: "point", size: 500, color: "black", strokeWidth: 2 },
      encoding: { x, y },
    },
    {
      transform: [{ filter: "datum.recommended" }],
      mark: { type: "text", align: "left", dx: 14, dy: -12, fontSize: 11 },
      encoding: { x, y, text: { value: "recommended" } },
    },
  ];
  if (tpotTargetMs !== undefined) {
    layers.push({
      mark: { type: "rule", strokeDash: [6, 4], color: "#666" },
      encoding: { x: { datum: 1000 / tpotTargetMs } },
    });
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(title
      ? { title: tpotTargetMs === undefined ? title : `${title} (dashed: TPOT ${tpotTargetMs} ms)` }
      : {}),
    data: { values },
    facet: { column: { field: "mode", type: "nominal", title: null, sort: ["aggregated", "disaggregated"] } },
    spec: { width: 420, height: 360, layer: layers },
    // Each panel its own colours and legend: the aggregated and the disaggregated hardware choices differ.
    resolve: { scale: { color: "independent" }, legend: { color: "independent" } },
    config: { font: "DejaVu Sans", background: "white", view: { stroke: "#ddd" } },
  };
}
