import { EP_DECODE_COLUMNS, type EpDecodeRow } from "../analysis/ep-decode.ts";

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A white-to-red colour for t in [0, 1] (ShallowSim's Comm_Impact gradient). */
function heat(t: number): string {
  const clamped = Math.min(1, Math.max(0, t));
  const mix = (from: number, to: number) => Math.round(from + (to - from) * clamped);
  return `rgb(${mix(255, 214)}, ${mix(255, 39)}, ${mix(255, 40)})`;
}

const BAR = "#6495ED";

/**
 * Seed 000's cell styling for a set of rows, as CSS text per cell: bars proportional to TPS and
 * Total, positive Delta in red, a white-to-red gradient on Comm_Impact. The HTML report and the web
 * app's table both use it.
 */
export function epCellStyler(rows: readonly EpDecodeRow[]): (column: string, value: number) => string {
  // Loops rather than Math.max(...rows): tables of 10^5 rows would overflow the call stack.
  const maxOf = (column: "TPS" | "Total") =>
    rows.reduce((max, row) => Math.max(max, row[column]), Number.MIN_VALUE);
  const maxTps = maxOf("TPS");
  const maxTotal = maxOf("Total");
  const impacts = rows.map((row) => row.Comm_Impact);
  const lowImpact = impacts.reduce((min, value) => Math.min(min, value), 0);
  const highImpact = impacts.reduce((max, value) => Math.max(max, value), lowImpact + Number.MIN_VALUE);
  return (column, value) => {
    if (column === "TPS" || column === "Total") {
      const percent = (100 * value) / (column === "TPS" ? maxTps : maxTotal);
      return `background: linear-gradient(90deg, ${BAR} ${percent.toFixed(1)}%, transparent ${percent.toFixed(1)}%)`;
    }
    if (column === "Delta" && value > 0) return "color: red";
    if (column === "Comm_Impact")
      return `background: ${heat((value - lowImpact) / (highImpact - lowImpact))}`;
    return "";
  };
}

/** A number as seed 000's styled table shows it: integers for TP, EP and batch size, else three decimals. */
export const epCellText = (column: string, value: number): string =>
  Number.isInteger(value) && (column === "TP" || column === "EP" || column === "BatchSize")
    ? String(value)
    : value.toFixed(3);

/**
 * Seed 000's styled table as standalone HTML: bars proportional to TPS and Total, positive Delta
 * in red, a colour gradient on Comm_Impact, three decimals. No scripts, no external resources.
 */
export function epReportHtml(rows: readonly EpDecodeRow[], title: string): string {
  const styleOf = epCellStyler(rows);
  const cell = (row: EpDecodeRow, column: (typeof EP_DECODE_COLUMNS)[number]): string => {
    const value = row[column];
    if (typeof value === "string") return `<td class="text">${escapeHtml(value)}</td>`;
    const style = styleOf(column, value);
    return `<td${style ? ` style="${style}"` : ""}>${epCellText(column, value)}</td>`;
  };
  const head = EP_DECODE_COLUMNS.map((column) => `<th>${column}</th>`).join("");
  const body = rows
    .map(
      (row, index) =>
        `<tr><th>${index}</th>${EP_DECODE_COLUMNS.map((column) => cell(row, column)).join("")}</tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; }
table { border-collapse: collapse; font-size: 0.8rem; font-variant-numeric: tabular-nums; }
th, td { padding: 0.2rem 0.5rem; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
td.text { text-align: left; }
thead th { position: sticky; top: 0; background: #fff; border-bottom: 2px solid #999; }
caption { text-align: left; font-weight: 600; margin-bottom: 0.5rem; }
</style>
</head>
<body>
<table>
<caption>${escapeHtml(title)}</caption>
<thead><tr><th></th>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</body>
</html>
`;
}
