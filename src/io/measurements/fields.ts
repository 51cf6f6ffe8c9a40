import type { Issue } from "../../core/issues.ts";
import { ownEntry } from "../../core/text/own-entry.ts";
import type { TableFile } from "./table-file.ts";

/** Reads typed cells of a measurement table, collecting issues with file:line:column. */
export class CellReader {
  readonly issues: Issue[] = [];
  private readonly table: TableFile;
  constructor(table: TableFile) {
    this.table = table;
  }

  private where(row: number, column: string) {
    return {
      file: this.table.file,
      line: row + 2,
      column: Math.max(1, this.table.columns.indexOf(column) + 1),
      path: [column],
    };
  }

  /** Fails unless every required column is present; unknown columns fail unless `allowed` accepts them. */
  checkColumns(
    required: readonly string[],
    allowed: (column: string) => boolean,
    known: readonly string[] = required,
  ): boolean {
    const missing = required.filter((c) => !this.table.columns.includes(c));
    for (const column of missing)
      this.issues.push({
        code: "missing-field",
        path: [column],
        file: this.table.file,
        line: 1,
        message: `missing column "${column}"`,
        allowed: required,
      });
    this.table.columns.forEach((column, index) => {
      if (!required.includes(column) && !allowed(column))
        this.issues.push({
          code: "unknown-field",
          path: [column],
          file: this.table.file,
          line: 1,
          column: index + 1,
          message: `unknown column "${column}"`,
          allowed: known,
        });
    });
    return this.issues.length === 0;
  }

  number(row: number, column: string, check: (v: number) => boolean, expected: string): number {
    const raw = (this.table.rows[row] as Record<string, unknown>)[column];
    const value = typeof raw === "number" ? raw : Number(raw);
    if (raw === "" || raw === undefined || raw === null || !Number.isFinite(value) || !check(value)) {
      this.issues.push({
        ...this.where(row, column),
        code: "invalid-value",
        message: `expected ${expected}, got "${String(raw)}"`,
      });
      return Number.NaN;
    }
    return value;
  }

  /** A count (a positive integer) cell; NaN and an issue otherwise. */
  count(row: number, column: string): number {
    return this.number(row, column, positiveInteger, "a positive integer");
  }

  text(row: number, column: string): string {
    return String((this.table.rows[row] as Record<string, unknown>)[column] ?? "");
  }

  oneOf<T extends string>(row: number, column: string, mapping: Readonly<Record<string, T>>): T | undefined {
    const raw = this.text(row, column);
    const value = ownEntry(mapping, raw);
    if (value === undefined)
      this.issues.push({
        ...this.where(row, column),
        code: "invalid-value",
        message: `unknown value "${raw}"`,
        allowed: Object.keys(mapping),
      });
    return value;
  }

  /** A cell read by `parse` (which throws on bad text); undefined and an issue naming `expected` otherwise. */
  parsed<T>(row: number, column: string, parse: (text: string) => T, expected: string): T | undefined {
    const raw = this.text(row, column);
    try {
      return parse(raw);
    } catch {
      this.issues.push({
        ...this.where(row, column),
        code: "invalid-value",
        message: `expected ${expected}, got "${raw}"`,
      });
      return undefined;
    }
  }

  /** Stops after this many bad cells so a wrong file does not print a million lines. */
  full(): boolean {
    return this.issues.length >= 20;
  }
}

export const positive = (v: number) => v > 0;
export const positiveInteger = (v: number) => Number.isInteger(v) && v > 0;
