import type { SliceSummary } from "../validation/summary.ts";

/** What the chart and report show of a predicted case. */
export interface ReportedCase {
  readonly suite: string;
  readonly id: string;
  readonly level: string;
  readonly group: string;
  readonly metric: string;
  readonly unit: string;
  readonly measured: number;
  readonly predicted: number | null;
  readonly errorPct: number | null;
  readonly calibration: string;
  readonly reason: string | null;
}

/**
 * Predicted against measured as Vega-Lite, log-log: one point per expressed case (each in its
 * metric's unit), one colour per level, the y = x line and the ±15% band dashed.
 */
export function validationChartSpec(cases: readonly ReportedCase[], title: string): Record<string, unknown> {
  const values = cases
    .filter((c) => c.predicted !== null && c.predicted > 0 && c.measured > 0)
    .map((c) => ({
      id: c.id,
      level: c.level,
      group: c.group,
      metric: `${c.metric} (${c.unit})`,
      measured: c.measured,
      predicted: c.predicted,
      error: c.errorPct,
    }));
  // Log axes: only positive figures can be placed.
  const all = values.flatMap((v) => [v.measured, v.predicted as number]).filter((v) => v > 0);
  const lo = all.length > 0 ? all.reduce((m, v) => Math.min(m, v), Number.POSITIVE_INFINITY) / 2 : 1e-3;
  const hi = all.length > 0 ? all.reduce((m, v) => Math.max(m, v), 0) * 2 : 1e3;
  const domain = [lo, hi];
  const axis = (field: string, label: string) => ({
    field,
    type: "quantitative",
    title: label,
    scale: { type: "log", domain },
  });
  const line = (factor: number, dash: number[]) => ({
    data: {
      values: [
        { a: lo, b: lo * factor },
        { a: hi, b: hi * factor },
      ],
    },
    mark: { type: "line", color: "#888", strokeDash: dash, strokeWidth: 1 },
    encoding: {
      x: { field: "a", type: "quantitative", scale: { type: "log", domain } },
      y: { field: "b", type: "quantitative", scale: { type: "log", domain } },
    },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 520,
    height: 520,
    layer: [
      line(1, []),
      line(1.15, [4, 4]),
      line(1 / 1.15, [4, 4]),
      {
        data: { values },
        mark: { type: "point", filled: true, size: 45, opacity: 0.8 },
        encoding: {
          x: axis("measured", "measured (each case in its metric's unit)"),
          y: axis("predicted", "predicted"),
          color: {
            field: "level",
            type: "nominal",
            scale: { scheme: "tableau10" },
            legend: { orient: "top" },
          },
          shape: { field: "level", type: "nominal" },
          tooltip: [
            { field: "id" },
            { field: "metric" },
            { field: "measured" },
            { field: "predicted" },
            { field: "error", format: ".1f" },
          ],
        },
      },
    ],
  };
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const number = (v: number | null, digits = 4) => (v === null ? "" : String(Number(v.toPrecision(digits))));

/** A standalone HTML report: the summaries, the chart (inline SVG) and every case. No scripts. */
export function validationReportHtml(
  title: string,
  summaries: readonly { readonly heading: string; readonly rows: readonly SliceSummary[] }[],
  cases: readonly ReportedCase[],
  chartSvg: string,
): string {
  const summaryTable = (rows: readonly SliceSummary[]) =>
    `<table><thead><tr><th>slice</th><th>n</th><th>coverage</th><th>median |err| %</th><th>P90 |err| %</th><th>MAPE %</th><th>median signed %</th></tr></thead><tbody>${rows
      .map(
        (s) =>
          `<tr><td class="text">${escapeHtml(s.slice)}</td><td>${s.n}</td><td>${(s.coverage * 100).toFixed(0)}%</td><td>${s.medianAbsPct.toFixed(1)}</td><td>${s.p90AbsPct.toFixed(1)}</td><td>${s.mapePct.toFixed(1)}</td><td>${s.medianSignedPct.toFixed(1)}</td></tr>`,
      )
      .join("")}</tbody></table>`;
  const caseRows = cases
    .map((c) => {
      const bad = c.errorPct !== null && Math.abs(c.errorPct) > 15;
      return `<tr><td class="text">${escapeHtml(c.suite)}</td><td class="text">${escapeHtml(c.id)}</td><td class="text">${c.level}</td><td class="text">${escapeHtml(c.metric)}</td><td class="text">${escapeHtml(c.unit)}</td><td>${number(c.measured)}</td><td>${number(c.predicted)}</td><td${bad ? ' style="color: #c0392b"' : ""}>${c.errorPct === null ? "" : c.errorPct.toFixed(1)}</td><td class="text">${c.calibration}</td><td class="text">${escapeHtml(c.reason ?? "")}</td></tr>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; }
table { border-collapse: collapse; font-size: 0.8rem; font-variant-numeric: tabular-nums; margin-bottom: 1.5rem; }
th, td { padding: 0.2rem 0.5rem; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
td.text { text-align: left; }
thead th { background: #fff; border-bottom: 2px solid #999; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>error = predicted / measured − 1; |error| above 15% in red. "used" cases set defaults or fits (in-sample).</p>
${summaries.map((s) => `<h2>${escapeHtml(s.heading)}</h2>\n${summaryTable(s.rows)}`).join("\n")}
<h2>Predicted against measured</h2>
${chartSvg}
<h2>Cases</h2>
<table><thead><tr><th>suite</th><th>id</th><th>level</th><th>metric</th><th>unit</th><th>measured</th><th>predicted</th><th>error %</th><th>calibration</th><th>note</th></tr></thead>
<tbody>
${caseRows}
</tbody></table>
</body>
</html>
`;
}
