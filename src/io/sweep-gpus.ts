import type { Physics, SweepGpu } from "../core/analysis/decode-sweep.ts";
import { catalogSweepGpus, sweepGpuFromTableRow } from "../core/analysis/gpus.ts";
import { InputError, type Issue } from "../core/issues.ts";
import { loadGpuTable } from "./gpu-table.ts";
import { loadHardwareRegistry } from "./hardware.ts";

export interface GpuSelection {
  /** GPU names (catalog names or ShallowSim table names); default: every GPU of the table. */
  readonly names?: readonly string[];
  /** A GPU table in ShallowSim's gpu_info.csv format. */
  readonly gpuFile?: string;
  readonly hardwareFiles?: readonly string[];
  readonly physics: Physics;
  /** Which built-in ShallowSim table the preset uses without --gpu-file. */
  readonly tableVersion?: "head" | "initial";
}

/**
 * The GPUs of an EP analysis. With a GPU file both physics use its rows. Otherwise the preset uses
 * ShallowSim's own table (catalog accelerators for names it lacks) and llmsim's physics uses the
 * catalog, whose figures are sourced (ShallowSim's names are catalog aliases).
 */
export function resolveSweepGpus(selection: GpuSelection): SweepGpu[] {
  if (selection.gpuFile !== undefined) {
    const file = selection.gpuFile;
    const rows = loadGpuTable(file);
    const chosen = selection.names ?? rows.map((row) => row.name);
    const issues: Issue[] = [];
    const gpus: SweepGpu[] = [];
    for (const name of chosen) {
      const row = rows.find((r) => r.name === name);
      if (row) gpus.push(sweepGpuFromTableRow(row, file));
      else
        issues.push({
          code: "unknown-id",
          path: ["gpus"],
          message: `GPU "${name}" is not in ${file}`,
          allowed: rows.map((r) => r.name),
        });
    }
    if (issues.length > 0) throw new InputError(issues);
    return gpus;
  }
  return catalogSweepGpus(
    selection.physics,
    loadHardwareRegistry(selection.hardwareFiles ?? []),
    selection.names,
    selection.tableVersion,
  );
}
