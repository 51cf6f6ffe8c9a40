import type { Dtype } from "../../core/dtype.ts";
import { InputError } from "../../core/issues.ts";
import { gemm } from "../../core/ops/gemm.ts";
import type { Measurement } from "../../core/predictor/calibrate.ts";
import { CellReader, positive, positiveInteger } from "./fields.ts";
import type { TableFile } from "./table-file.ts";

const GEMM_COLUMNS = [
  "framework",
  "version",
  "device",
  "op_name",
  "kernel_source",
  "gemm_dtype",
  "m",
  "n",
  "k",
  "latency",
];

/**
 * AIConfigurator's GEMM formats as engine dtypes: weights, activations (inputs and outputs, as the
 * engine's GEMM counts them) and tensor-core compute. fp8_block is FP8 with 128-wide block scales
 * (DeepSeek-style); *_wo are weight-only quantized GEMMs that compute in BF16.
 */
const GEMM_DTYPES: Readonly<Record<string, { weight: Dtype; activation: Dtype; compute: Dtype }>> = {
  bfloat16: { weight: "bf16", activation: "bf16", compute: "bf16" },
  float16: { weight: "fp16", activation: "fp16", compute: "fp16" },
  fp8: { weight: "fp8", activation: "bf16", compute: "fp8" },
  fp8_block: { weight: "fp8", activation: "bf16", compute: "fp8" },
  nvfp4: { weight: "fp4", activation: "bf16", compute: "fp4" },
  int8_wo: { weight: "int8", activation: "bf16", compute: "bf16" },
  int4_wo: { weight: "int4", activation: "bf16", compute: "bf16" },
};

export function isAiconfiguratorGemm(table: TableFile): boolean {
  return table.columns.includes("gemm_dtype") && table.columns.includes("latency");
}

/**
 * AIConfigurator's gemm_perf table (latency in ms, one GEMM of m x n x k on one GPU): each row is
 * the engine's "gemm" op of that shape. Block-scaled FP8 rows are named "gemm_fp8_block" so they
 * form their own family instead of averaging with per-tensor FP8 at the same shapes. `hardwareOf` maps the device string to a catalog name.
 */
export function aiconfiguratorGemmMeasurements(
  table: TableFile,
  hardwareOf: (device: string, row: number) => string | undefined,
): Measurement[] {
  const cells = new CellReader(table);
  if (!cells.checkColumns(GEMM_COLUMNS, () => false)) throw new InputError(cells.issues);
  const dtypes = Object.fromEntries(Object.keys(GEMM_DTYPES).map((k) => [k, k]));
  const out: Measurement[] = [];
  for (let row = 0; row < table.rows.length && !cells.full(); row++) {
    const format = cells.oneOf(row, "gemm_dtype", dtypes);
    const m = cells.number(row, "m", positiveInteger, "a positive integer");
    const n = cells.number(row, "n", positiveInteger, "a positive integer");
    const k = cells.number(row, "k", positiveInteger, "a positive integer");
    const latencyMs = cells.number(row, "latency", positive, "a positive time in ms");
    const hardware = hardwareOf(cells.text(row, "device"), row);
    if (format === undefined || hardware === undefined || Number.isNaN(m + n + k + latencyMs)) continue;
    const d = GEMM_DTYPES[format] as (typeof GEMM_DTYPES)[string];
    out.push({
      hardware,
      op: gemm({
        name: format === "fp8_block" ? "gemm_fp8_block" : "gemm",
        m,
        n,
        k,
        weightDtype: d.weight,
        activationDtype: d.activation,
        computeDtype: d.compute,
        formula: `AIConfigurator ${format}`,
      }),
      latencyMs,
      group: `${cells.text(row, "framework")} ${cells.text(row, "version")}`,
      source: `${table.file}:${row + 2}`,
    });
  }
  if (cells.issues.length > 0) throw new InputError(cells.issues);
  return out;
}
