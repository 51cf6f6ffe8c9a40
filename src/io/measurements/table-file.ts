import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { csvParse } from "d3-dsv";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { InputError } from "../../core/issues.ts";
import { readText } from "../files.ts";

/** A measurement file's columns and rows (row i is on line i + 2 of a CSV). */
export interface TableFile {
  readonly file: string;
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, unknown>[];
}

const unreadable = (file: string, flag: string, message: string) =>
  new InputError([{ code: "invalid-file", path: [flag], file, message }]);

/**
 * Reads a CSV, gzip-compressed CSV (.csv.gz) or Parquet file; Parquet integers come back as
 * numbers. Errors name `flag`, the option that gave the file.
 */
export async function readTableFile(file: string, flag = "--measurements"): Promise<TableFile> {
  if (file.endsWith(".parquet")) {
    readText(file, flag); // a missing file is named like every other input
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: await asyncBufferFromFile(file), compressors });
    } catch (error) {
      throw unreadable(file, flag, `not a readable Parquet file: ${(error as Error).message}`);
    }
    for (const row of rows)
      for (const [key, value] of Object.entries(row)) if (typeof value === "bigint") row[key] = Number(value);
    return { file, columns: Object.keys(rows[0] ?? {}), rows };
  }
  let text: string;
  if (file.endsWith(".gz")) {
    readText(file, flag);
    try {
      text = gunzipSync(readFileSync(file)).toString("utf8");
    } catch (error) {
      throw unreadable(file, flag, `not a gzip file: ${(error as Error).message}`);
    }
  } else text = readText(file, flag);
  const parsed = csvParse(text);
  return { file, columns: parsed.columns, rows: parsed };
}
