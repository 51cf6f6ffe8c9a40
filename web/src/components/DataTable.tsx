import { useMemo, useState } from "preact/hooks";
import { renderCsv, renderJson } from "../../../src/cli/format/table.ts";
import { download } from "./download.ts";

export type Cell = string | number;

export interface DataTableProps {
  readonly name: string;
  readonly caption: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** How a number shows (the export keeps full precision, as the CLI's --csv does). */
  readonly format?: (value: number, column: string) => string;
  /** Per-cell style (seed 000's bars, colours). */
  readonly cellStyle?: (value: Cell, column: string) => string | undefined;
  /** Rows shown before "show all" (sorting and filtering see every row). */
  readonly pageSize?: number;
  readonly filterable?: boolean;
  /** Controlled filter and sort ("Total:desc"), for tables whose view lives in the URL. */
  readonly filter?: string;
  readonly onFilter?: (filter: string) => void;
  readonly sort?: string;
  readonly onSort?: (sort: string) => void;
}

const parseSort = (text: string | undefined, head: readonly string[]) => {
  const match = /^(.+):(asc|desc)$/.exec(text ?? "");
  const column = match ? head.indexOf(match[1] as string) : -1;
  return column >= 0 ? { column, ascending: match?.[2] === "asc" } : null;
};

const defaultFormat = (value: number) =>
  Number.isInteger(value)
    ? String(value)
    : Math.abs(value) >= 1e6
      ? value.toExponential(3)
      : value.toFixed(4);

/**
 * A sortable, filterable table whose CSV/JSON export is exactly the rows in view, with the CLI's
 * CSV writer. The filter takes words (all must match a cell) and comparisons like `TP=4` or `TPS>20`.
 */
export function DataTable(props: DataTableProps) {
  const { head, rows, name } = props;
  const [ownSort, setOwnSort] = useState<{ column: number; ascending: boolean } | null>(null);
  const [ownFilter, setOwnFilter] = useState("");
  const sort = props.onSort ? parseSort(props.sort, head) : ownSort;
  const filter = props.onFilter ? (props.filter ?? "") : ownFilter;
  const setFilter = props.onFilter ?? setOwnFilter;
  const setSort = (next: { column: number; ascending: boolean }) =>
    props.onSort ? props.onSort(`${head[next.column]}:${next.ascending ? "asc" : "desc"}`) : setOwnSort(next);
  const [showAll, setShowAll] = useState(false);
  const format = props.format ?? defaultFormat;
  const visible = useMemo(() => {
    const tests = filterTests(filter, head);
    let out = tests.length ? rows.filter((row) => tests.every((test) => test(row))) : [...rows];
    if (sort) {
      const { column, ascending } = sort;
      out = out.sort((a, b) => {
        const x = a[column] as Cell;
        const y = b[column] as Cell;
        const order =
          typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return ascending ? order : -order;
      });
    }
    return out;
  }, [rows, head, sort, filter]);
  const pageSize = props.pageSize ?? 200;
  const shown = showAll ? visible : visible.slice(0, pageSize);
  const toggle = (column: number) =>
    setSort(sort?.column === column ? { column, ascending: !sort.ascending } : { column, ascending: true });
  return (
    <section class="table-block" data-table={name}>
      <div class="table-tools">
        <span class="table-caption">{props.caption}</span>
        {props.filterable !== false ? (
          <input
            type="search"
            aria-label={`filter ${props.caption}`}
            placeholder="filter: H800 TP=4 TPS>20"
            value={filter}
            onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
          />
        ) : null}
        <span class="count" data-count={visible.length}>
          {visible.length} of {rows.length} rows
        </span>
        <button type="button" onClick={() => download(`${name}.csv`, renderCsv(head, visible), "text/csv")}>
          CSV
        </button>
        <button
          type="button"
          onClick={() =>
            download(
              `${name}.json`,
              renderJson(visible.map((row) => Object.fromEntries(head.map((h, i) => [h, row[i]])))),
              "application/json",
            )
          }
        >
          JSON
        </button>
      </div>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              {head.map((column, i) => (
                <th
                  key={column}
                  scope="col"
                  aria-sort={sort?.column === i ? (sort.ascending ? "ascending" : "descending") : "none"}
                >
                  <button type="button" class="sort" onClick={() => toggle(i)}>
                    {column}
                    {sort?.column === i ? (sort.ascending ? " ▲" : " ▼") : ""}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row, r) => (
              <tr key={r}>
                {row.map((cell, i) => {
                  const column = head[i] as string;
                  return (
                    <td
                      key={i}
                      class={typeof cell === "number" ? "num" : "text"}
                      style={props.cellStyle?.(cell, column)}
                      data-value={String(cell)}
                    >
                      {typeof cell === "number" ? format(cell, column) : cell}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {visible.length > shown.length ? (
        <button type="button" class="show-all" onClick={() => setShowAll(true)}>
          Show all {visible.length} rows
        </button>
      ) : null}
    </section>
  );
}

type RowTest = (row: readonly Cell[]) => boolean;

/** Filter words: `COLUMN<op>VALUE` (op one of = != < <= > >=) compares a column; other words match any cell. */
export function filterTests(filter: string, head: readonly string[]): RowTest[] {
  const lower = head.map((h) => h.toLowerCase());
  return filter
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((word): RowTest => {
      const match = /^([A-Za-z_][\w.]*)(<=|>=|!=|=|<|>)(.+)$/.exec(word);
      const column = match ? lower.indexOf((match[1] as string).toLowerCase()) : -1;
      if (match && column >= 0) {
        const op = match[2] as string;
        const text = match[3] as string;
        const value = Number(text);
        return (row) => {
          const cell = row[column] as Cell;
          if (typeof cell !== "number" || Number.isNaN(value))
            return op === "!="
              ? String(cell) !== text
              : op === "="
                ? String(cell).toLowerCase() === text.toLowerCase()
                : false;
          switch (op) {
            case "=":
              return cell === value;
            case "!=":
              return cell !== value;
            case "<":
              return cell < value;
            case "<=":
              return cell <= value;
            case ">":
              return cell > value;
            default:
              return cell >= value;
          }
        };
      }
      const needle = word.toLowerCase();
      return (row) => row.some((cell) => String(cell).toLowerCase().includes(needle));
    });
}
