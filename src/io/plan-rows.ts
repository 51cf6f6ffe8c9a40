import { renameSync, rmSync } from "node:fs";
import { fileWriter, ParquetWriter } from "hyparquet-writer";
import type { RowColumn } from "../core/plan/rows.ts";
import { StreamedFile } from "./stream-file.ts";

/** CSV cell: numbers as JavaScript prints them (NaN as empty), strings as they are (they hold no commas). */
const cell = (value: number | string) =>
  typeof value === "number" ? (Number.isNaN(value) ? "" : String(value)) : value;

/**
 * Writes the every-configuration table chunk by chunk, as Parquet (one row group per chunk; for
 * pandas, DuckDB, Polars) or CSV by the file extension, to a temporary name renamed on `commit()`
 * (`abort()` removes it), so a failed run leaves no partial file.
 */
export class RowsWriter {
  readonly path: string;
  private readonly temporary: string;
  private parquet: ParquetWriter | null = null;
  private csv: StreamedFile | null = null;
  private readonly format: "parquet" | "csv";
  rows = 0;

  constructor(path: string) {
    this.path = path;
    this.format = /\.parquet$/i.test(path) ? "parquet" : "csv";
    this.temporary = `${path}.partial-${process.pid}`;
  }

  write(columns: readonly RowColumn[]): void {
    const n = columns[0]?.data.length ?? 0;
    if (this.format === "parquet") {
      if (!this.parquet) {
        const writer = fileWriter(this.temporary);
        const schema = [
          { name: "root", num_children: columns.length },
          ...columns.map((c) =>
            c.kind === "string"
              ? {
                  name: c.name,
                  type: "BYTE_ARRAY" as const,
                  converted_type: "UTF8" as const,
                  repetition_type: "REQUIRED" as const,
                }
              : {
                  name: c.name,
                  type: c.kind === "int" ? ("INT32" as const) : ("DOUBLE" as const),
                  repetition_type: "REQUIRED" as const,
                },
          ),
        ];
        this.parquet = new ParquetWriter({ writer, schema, createdBy: "llmsim plan" });
      }
      if (n > 0)
        this.parquet.write({
          columnData: columns.map((c) => ({ name: c.name, data: c.data })),
          rowGroupSize: n,
        });
    } else {
      if (!this.csv) {
        this.csv = new StreamedFile(this.path);
        this.csv.write(`${columns.map((c) => c.name).join(",")}\n`);
      }
      for (let k = 0; k < n; k++) {
        let line = "";
        for (let j = 0; j < columns.length; j++)
          line += (j > 0 ? "," : "") + cell((columns[j] as RowColumn).data[k] as number | string);
        this.csv.write(`${line}\n`);
      }
    }
    this.rows += n;
  }

  commit(): void {
    if (this.format === "parquet") {
      if (!this.parquet) return;
      this.parquet.finish();
      renameSync(this.temporary, this.path);
    } else this.csv?.commit();
  }

  abort(): void {
    if (this.format === "parquet") rmSync(this.temporary, { force: true });
    else this.csv?.abort();
  }
}
