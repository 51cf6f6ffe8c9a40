import { EP_DECODE_COLUMNS, type EpDecodeRow } from "./ep-decode.ts";

export type EpColumn = (typeof EP_DECODE_COLUMNS)[number];

/**
 * Ties are exact, as pandas' `t[t.Total == t.Total.max()]`: ShallowSim's comm-bound rows tie
 * bit for bit across TP because TPOT no longer depends on SparseMLA (SPEC §4.6), and evaluating in
 * its order reproduces its tie sets (73 summary rows with fp8 combine, 78 without).
 */
const tied = (a: number, b: number): boolean => a === b;

/**
 * Rows equal to their group's best `column` value (ties kept), groups keyed by `keyOf`, then
 * sorted by `column` (stable: ties stay in table order).
 */
export function bestPerGroup(
  rows: readonly EpDecodeRow[],
  keyOf: (row: EpDecodeRow) => string,
  column: EpColumn,
  ascending = false,
): EpDecodeRow[] {
  const best = new Map<string, number>();
  for (const row of rows) {
    const value = row[column] as number;
    const key = keyOf(row);
    const current = best.get(key);
    if (current === undefined || (ascending ? value < current : value > current)) best.set(key, value);
  }
  const kept = rows.filter((row) => tied(row[column] as number, best.get(keyOf(row)) as number));
  return sortRows(kept, column, ascending);
}

/** Stable sort by a column (numbers numerically, GPU names alphabetically). */
export function sortRows(rows: readonly EpDecodeRow[], column: EpColumn, ascending: boolean): EpDecodeRow[] {
  const sign = ascending ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((x, y) => {
      const a = x.row[column];
      const b = y.row[column];
      const order =
        typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
      return order === 0 ? x.index - y.index : sign * order;
    })
    .map(({ row }) => row);
}

/** Seed 000's summary: per (GPU, BatchSize) every row with the best Total, by Total descending. */
export function summaryView(rows: readonly EpDecodeRow[]): EpDecodeRow[] {
  return bestPerGroup(rows, (row) => `${row.GPU}\u0000${row.BatchSize}`, "Total");
}

export interface GpuViewOptions {
  readonly gpu: string;
  /** Keep rows with TPS strictly above this (0 keeps all). */
  readonly tpsLimit: number;
  /** Keep only this EP size. */
  readonly ep?: number;
  readonly sortBy: EpColumn;
  readonly ascending: boolean;
}

/**
 * Seed 000's per-GPU view (df_filter then df_sort): the GPU's rows above the TPS limit, best row per
 * (BatchSize, EP) by the sort column (ties kept), sorted by it.
 */
export function gpuView(rows: readonly EpDecodeRow[], options: GpuViewOptions): EpDecodeRow[] {
  const filtered = rows.filter(
    (row) =>
      row.GPU === options.gpu &&
      (options.tpsLimit <= 0 || row.TPS > options.tpsLimit) &&
      (options.ep === undefined || row.EP === options.ep),
  );
  return bestPerGroup(
    filtered,
    (row) => `${row.BatchSize}\u0000${row.EP}`,
    options.sortBy,
    options.ascending,
  );
}

export function isEpColumn(name: string): name is EpColumn {
  return (EP_DECODE_COLUMNS as readonly string[]).includes(name);
}
