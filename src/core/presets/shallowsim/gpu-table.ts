import type { AcceleratorRecord } from "../../hardware/types.ts";
import type { Issue } from "../../issues.ts";

/**
 * One row of ShallowSim's GPU table (device/gpu_info.csv): TFLOPS for fp16/fp8/fp4 (fp4 = 0 means
 * no FP4), memory GB, bandwidths GB/s (HBM, NVLink per direction, NIC per GPU), SM counts.
 */
export interface GpuTableRow {
  readonly name: string;
  readonly sm: number;
  readonly commSm: number;
  readonly fp16Tflops: number;
  readonly fp8Tflops: number;
  readonly fp4Tflops: number;
  readonly memGB: number;
  readonly memBandwidthGBps: number;
  readonly nvlinkGBps: number;
  readonly pcieGBps: number;
  readonly gpusPerNode: number;
}

export const GPU_TABLE_COLUMNS = [
  "gpu_type",
  "sm",
  "comm_sm",
  "fp16",
  "fp8",
  "fp4",
  "mem",
  "mem_bw",
  "nvlink_bw",
  "pcie_bw",
  "gpu_per_node",
] as const;

/** Rows of a gpu_info.csv already split into string records (header -> cell). */
export function parseGpuTable(
  records: readonly Readonly<Record<string, string | undefined>>[],
): { ok: true; rows: GpuTableRow[] } | { ok: false; issues: Issue[] } {
  const issues: Issue[] = [];
  const rows: GpuTableRow[] = [];
  records.forEach((record, index) => {
    const line = index + 2;
    const number = (column: string, min: number): number => {
      const text = record[column];
      const value = Number(text);
      if (text === undefined || text.trim() === "" || !Number.isFinite(value) || value < min) {
        issues.push({
          code: text === undefined ? "missing-field" : "invalid-value",
          path: [column],
          message: `row ${index + 1}: expected a number >= ${min}, got ${JSON.stringify(text ?? null)}`,
          line,
          column: 1,
        });
        return min;
      }
      return value;
    };
    const name = (record.gpu_type ?? "").trim();
    if (name === "") {
      issues.push({
        code: "missing-field",
        path: ["gpu_type"],
        message: `row ${index + 1}: GPU name is empty`,
        line,
        column: 1,
      });
    }
    const row: GpuTableRow = {
      name,
      sm: number("sm", 1),
      commSm: number("comm_sm", 0),
      fp16Tflops: number("fp16", Number.MIN_VALUE),
      fp8Tflops: number("fp8", Number.MIN_VALUE),
      fp4Tflops: number("fp4", 0),
      memGB: number("mem", Number.MIN_VALUE),
      memBandwidthGBps: number("mem_bw", Number.MIN_VALUE),
      nvlinkGBps: number("nvlink_bw", Number.MIN_VALUE),
      pcieGBps: number("pcie_bw", Number.MIN_VALUE),
      gpusPerNode: number("gpu_per_node", 1),
    };
    if (row.commSm >= row.sm) {
      issues.push({
        code: "invalid-value",
        path: ["comm_sm"],
        message: `row ${index + 1}: comm_sm must be below sm`,
        line,
        column: 1,
      });
    }
    rows.push(row);
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, rows };
}

/** A GPU-table row as a catalog accelerator (so the default physics can run on the same table). */
export function gpuTableRowToAccelerator(row: GpuTableRow, source: string): AcceleratorRecord {
  const fromTable = `${source} (ShallowSim gpu_info format)`;
  return {
    name: row.name,
    denseTflops: {
      bf16: row.fp16Tflops,
      fp8: row.fp8Tflops,
      ...(row.fp4Tflops > 0 ? { fp4: row.fp4Tflops } : {}),
    },
    hbmGB: row.memGB,
    hbmBandwidthGBps: row.memBandwidthGBps,
    scaleUp: { bandwidthGBps: row.nvlinkGBps, domainGpus: row.gpusPerNode },
    scaleOut: { bandwidthGBps: row.pcieGBps },
    sources: Object.fromEntries(
      [
        "denseTflops.bf16",
        "denseTflops.fp8",
        "denseTflops.fp4",
        "hbmGB",
        "hbmBandwidthGBps",
        "scaleUp.bandwidthGBps",
        "scaleUp.domainGpus",
        "scaleOut.bandwidthGBps",
      ].map((k) => [k, fromTable]),
    ),
  };
}
