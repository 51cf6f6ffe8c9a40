import Table from "cli-table3";
import { csvFormatRows } from "d3-dsv";

export type Cell = string | number;

/** A plain Unicode table without ANSI codes (safe to pipe). Numbers are right-aligned. */
export function renderTable(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const table = new Table({
    head: [...head],
    style: { head: [], border: [], "padding-left": 1, "padding-right": 1 },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    colAligns: head.map((_, i) => (rows.some((row) => typeof row[i] === "number") ? "right" : "left")),
  });
  for (const row of rows) table.push(row.map((cell) => (typeof cell === "number" ? String(cell) : cell)));
  return table.toString();
}

/** RFC 4180 CSV with a header row. */
export function renderCsv(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return `${csvFormatRows([[...head], ...rows.map((row) => row.map(String))])}\n`;
}

/** JSON for machines: stable two-space indentation, trailing newline. */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
