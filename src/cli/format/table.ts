import { csvFormatRows } from "d3-dsv";

export type Cell = string | number;

const width = (text: string) => [...text].length;

/**
 * A plain Unicode box table without ANSI codes (safe to pipe), linear in the number of rows.
 * Columns holding any number cell are right-aligned.
 */
export function renderTable(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => head.map((_, i) => String(row[i] ?? "")));
  const widths = head.map((title, i) =>
    Math.max(width(title), ...text.map((row) => width(row[i] as string))),
  );
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

/** RFC 4180 CSV with a header row. */
export function renderCsv(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return `${csvFormatRows([[...head], ...rows.map((row) => row.map(String))])}\n`;
}

/** JSON for machines: stable two-space indentation, trailing newline. */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
