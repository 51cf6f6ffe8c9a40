import { csvParse } from "d3-dsv";
import { InputError } from "../core/issues.ts";
import { GPU_TABLE_COLUMNS, type GpuTableRow, parseGpuTable } from "../core/presets/shallowsim/gpu-table.ts";
import { readText } from "./files.ts";

/** Reads a GPU table in ShallowSim's gpu_info.csv format; InputError names the file, row and column. */
export function loadGpuTable(file: string): GpuTableRow[] {
  const records = csvParse(readText(file, "gpuFile"));
  const missing = GPU_TABLE_COLUMNS.filter((column) => !records.columns.includes(column));
  if (missing.length > 0) {
    throw new InputError([
      {
        code: "missing-field",
        path: missing,
        message: `missing column(s) ${missing.join(", ")}; a GPU table has the columns ${GPU_TABLE_COLUMNS.join(",")}`,
        file,
        line: 1,
        column: 1,
      },
    ]);
  }
  const parsed = parseGpuTable(records);
  if (!parsed.ok) throw new InputError(parsed.issues.map((issue) => ({ ...issue, file })));
  if (parsed.rows.length === 0)
    throw new InputError([{ code: "invalid-value", path: [], message: "the GPU table has no rows", file }]);
  return parsed.rows;
}
