import gpuInfo from "../../data/shallowsim/gpu-info.json" with { type: "json" };
import type { HardwareRegistry } from "../hardware/catalog.ts";
import { hardwareSpecOf } from "../hardware/resolve.ts";
import type { AcceleratorRecord } from "../hardware/types.ts";
import { InputError, type Issue } from "../issues.ts";
import {
  type GpuTableRow,
  gpuTableRowToAccelerator,
  parseGpuTable,
} from "../presets/shallowsim/gpu-table.ts";
import type { Physics, SweepGpu } from "./decode-sweep.ts";

/**
 * ShallowSim's own GPU table: "head" (commit 0cec1f5, 12 GPUs) or "initial" (commit f8e38d3,
 * 8 GPUs; DGX-B300 and GB300-NVL72 at 9600 GB/s, the file behind seed 001's prefill table).
 */
export function shallowsimGpuTable(version: "head" | "initial" = "head"): GpuTableRow[] {
  const parsed = parseGpuTable(version === "head" ? gpuInfo.head : gpuInfo.initialCommit);
  if (!parsed.ok) throw new Error("built-in ShallowSim GPU table is invalid");
  return parsed.rows;
}

/** A sweep GPU from a GPU-table row. */
export function sweepGpuFromTableRow(row: GpuTableRow, source: string): SweepGpu {
  return { name: row.name, hardware: hardwareSpecOf(gpuTableRowToAccelerator(row, source)), table: row };
}

/**
 * A sweep GPU from a catalog accelerator. Its GPU-table form has no SM counts (so ShallowSim's
 * prefill SM scaling is 1) and fp4 = 0 when the catalog gives no FP4 peak.
 */
export function sweepGpuFromAccelerator(
  record: AcceleratorRecord,
): { ok: true; gpu: SweepGpu } | { ok: false; issues: Issue[] } {
  const needed: [string, number | undefined][] = [
    ["denseTflops.bf16", record.denseTflops?.bf16],
    ["denseTflops.fp8", record.denseTflops?.fp8],
    ["hbmGB", record.hbmGB],
    ["hbmBandwidthGBps", record.hbmBandwidthGBps],
    ["scaleUp.bandwidthGBps", record.scaleUp?.bandwidthGBps],
    ["scaleOut.bandwidthGBps", record.scaleOut?.bandwidthGBps],
  ];
  const missing = needed.filter(([, value]) => value === undefined).map(([field]) => field);
  if (missing.length > 0) {
    return {
      ok: false,
      issues: [
        {
          code: "missing-figure",
          path: ["gpus", record.name],
          message: `${record.name} lacks ${missing.join(", ")} in the catalog, which the EP decode analysis needs; use --gpu-file or another GPU`,
        },
      ],
    };
  }
  const table: GpuTableRow = {
    name: record.name,
    sm: 1,
    commSm: 0,
    fp16Tflops: record.denseTflops?.bf16 as number,
    fp8Tflops: record.denseTflops?.fp8 as number,
    fp4Tflops: record.denseTflops?.fp4 ?? 0,
    memGB: record.hbmGB as number,
    memBandwidthGBps: record.hbmBandwidthGBps as number,
    nvlinkGBps: record.scaleUp?.bandwidthGBps as number,
    pcieGBps: record.scaleOut?.bandwidthGBps as number,
    gpusPerNode: record.scaleUp?.domainGpus ?? 1,
  };
  return { ok: true, gpu: { name: record.name, hardware: hardwareSpecOf(record), table } };
}

/**
 * The GPUs of an EP analysis without a GPU file: the shallowsim preset uses ShallowSim's own table
 * (catalog accelerators for names it lacks); llmsim's physics uses the catalog, whose figures are
 * sourced (ShallowSim's names are catalog aliases). Default names: every GPU of ShallowSim's table.
 * Throws InputError naming every unknown or incomplete GPU.
 */
export function catalogSweepGpus(
  physics: Physics,
  registry: HardwareRegistry,
  names?: readonly string[],
  tableVersion: "head" | "initial" = "head",
): SweepGpu[] {
  const table = shallowsimGpuTable(tableVersion);
  const issues: Issue[] = [];
  const gpus: SweepGpu[] = [];
  for (const name of names ?? table.map((row) => row.name)) {
    const row = table.find((r) => r.name === name);
    if (physics === "shallowsim" && row) {
      gpus.push(sweepGpuFromTableRow(row, "ShallowSim gpu_info.csv"));
      continue;
    }
    const resolved = registry.resolve(name, ["gpus"]);
    if (!resolved.ok) {
      issues.push(...resolved.issues);
      continue;
    }
    const gpu = sweepGpuFromAccelerator(resolved.record);
    if (gpu.ok) gpus.push({ ...gpu.gpu, name });
    else issues.push(...gpu.issues);
  }
  if (issues.length > 0) throw new InputError(issues);
  return gpus;
}
