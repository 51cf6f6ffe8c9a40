import { csvFormatRows } from "d3-dsv";

export type Cell = string | number;

const width = (text: string) => [...text].length;

/**
 * A plain Unicode box table without ANSI codes (safe to pipe), linear in the number of rows.
 * Columns holding any number cell are right-aligned.
 */
export function renderTable(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => head.map((_, i) => String(row[i] ?? "")));
  const widths = head.map((title) => width(title));
  for (const row of text) {
    for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i] as number, width(row[i] as string));
  }
  const right = head.map((_, i) => rows.some((row) => typeof row[i] === "number"));
  const line = (cells: readonly string[], alignRight: boolean) =>
    `│${cells
      .map((cell, i) => {
        const pad = " ".repeat((widths[i] as number) - width(cell));
        return ` ${alignRight && right[i] ? pad + cell : cell + pad} `;
      })
      .join("│")}│`;
  const rule = (left: string, middle: string, end: string) =>
    `${left}${widths.map((w) => "─".repeat(w + 2)).join(middle)}${end}`;
  return [
    rule("┌", "┬", "┐"),
    line([...head], false),
    ...text.map((row) => line(row, true)),
    rule("└", "┴", "┘"),
  ].join("\n");
}

/** One CSV field: numbers as JavaScript prints them (shortest round trip), text quoted when needed. */
const csvField = (cell: Cell): string => (typeof cell === "number" ? String(cell) : csvFormatRows([[cell]]));

/** RFC 4180 CSV with a header row; linear and quote-free for numbers (sweeps write 10^5+ rows). */
export function renderCsv(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const lines = new Array<string>(rows.length + 1);
  lines[0] = head.map(csvField).join(",");
  for (let i = 0; i < rows.length; i++) lines[i + 1] = (rows[i] as readonly Cell[]).map(csvField).join(",");
  return `${lines.join("\n")}\n`;
}

/** JSON for machines: stable two-space indentation, trailing newline. */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
