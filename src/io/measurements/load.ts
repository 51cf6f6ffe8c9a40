import { basename, dirname } from "node:path";
import type { HardwareRegistry } from "../../core/hardware/catalog.ts";
import { hardwareSpecOf } from "../../core/hardware/resolve.ts";
import type { AcceleratorRecord } from "../../core/hardware/types.ts";
import { InputError, type Issue } from "../../core/issues.ts";
import type { Op } from "../../core/ops/types.ts";
import type { Measurement } from "../../core/predictor/calibrate.ts";
import { writeIdealTimes } from "../../core/predictor/family.ts";
import {
  aiconfiguratorAttentionMeasurements,
  aiconfiguratorGemmMeasurements,
  aiconfiguratorMlaBmmMeasurements,
  aiconfiguratorMlaMeasurements,
  aiconfiguratorMoeMeasurements,
  isAiconfiguratorAttention,
  isAiconfiguratorGemm,
  isAiconfiguratorMla,
  isAiconfiguratorMlaBmm,
  isAiconfiguratorMoe,
} from "./aiconfigurator.ts";
import {
  aiconfiguratorCustomAllReduceMeasurements,
  aiconfiguratorDeepEpLowLatencyMeasurements,
  aiconfiguratorDeepEpNormalMeasurements,
  aiconfiguratorNcclMeasurements,
  isAiconfiguratorCustomAllReduce,
  isAiconfiguratorDeepEpLowLatency,
  isAiconfiguratorDeepEpNormal,
  isAiconfiguratorNccl,
  isVidurNetwork,
  vidurNetworkMeasurements,
} from "./collectives.ts";
import { acceleratorNamed } from "./hardware-name.ts";
import { isNativeMeasurements, nativeMeasurements } from "./native.ts";
import { readTableFile } from "./table-file.ts";
import { isVidurMlp, vidurMlpMeasurements } from "./vidur.ts";

export const MEASUREMENT_FORMATS = [
  "llmsim CSV",
  "Vidur mlp.csv",
  "AIConfigurator gemm_perf",
  "AIConfigurator moe_perf",
  "AIConfigurator context/generation_attention_perf",
  "AIConfigurator context/generation_mla_perf",
  "AIConfigurator mla_bmm_perf",
  "AIConfigurator nccl_perf",
  "AIConfigurator custom_allreduce_perf",
  "AIConfigurator wideep_deepep_ll_perf",
  "AIConfigurator wideep_deepep_normal_perf",
  "Vidur network all_reduce.csv / send_recv.csv",
] as const;

export interface LoadOptions {
  /** Catalog accelerator for every file, instead of the one the file or its path names. */
  readonly hardware?: string;
  /** Told about rows left out (e.g. a GEMM format the engine has no dtype for); default: stderr. */
  readonly warn?: (message: string) => void;
}

/**
 * Reads measurement files of any supported format (detected from the columns) into engine ops with
 * their measured times. Vidur files take their accelerator and model from their path
 * (compute/<gpu>/<org>/<model>/mlp.csv, network/<topology>/all_reduce.csv); AIConfigurator rows
 * from their `device` column.
 */
export async function loadMeasurements(
  files: readonly string[],
  registry: HardwareRegistry,
  options: LoadOptions = {},
  flag = "--measurements",
): Promise<Measurement[]> {
  const out: Measurement[] = [];
  const warn = options.warn ?? ((message: string) => process.stderr.write(`llmsim: warning: ${message}\n`));
  const ideal = { computeMs: 0, memoryMs: 0 };
  const idealMs = (op: Op, hardware: string): number => {
    writeIdealTimes(op, hardwareSpecOf(registry.get(hardware) as AcceleratorRecord), ideal);
    return Math.max(ideal.computeMs, ideal.memoryMs);
  };
  for (const file of files) {
    const table = await readTableFile(file, flag);
    const issues: Issue[] = [];
    // A table names a handful of devices over its many rows: each is matched once.
    const acceleratorOf = (text: string): string | undefined => {
      if (options.hardware !== undefined) return registry.get(options.hardware)?.name;
      const match = acceleratorNamed(registry, text);
      const quoted = (words: string[]) => words.map((w) => `"${w}"`).join("/");
      for (const { deviceWords, catalogWords } of match?.conflicts ?? [])
        warn(
          `${file}: device "${text}" says ${quoted(deviceWords)}, but the closest catalog entry, ${match?.name}, is ${quoted(catalogWords)}: its figures are used; if that is the wrong part, pass --hardware <name> (with --hardware-file for one not in the catalog)`,
        );
      return match?.name;
    };
    const named = new Map<string, string | undefined>();
    const resolve = (text: string, line: number, field: string): string | undefined => {
      if (!named.has(text)) named.set(text, acceleratorOf(text));
      const name = named.get(text);
      if (name === undefined && issues.length < 5)
        issues.push({
          code: "unknown-id",
          path: [field],
          file,
          line,
          message: `no catalog accelerator matches "${options.hardware ?? text}"; pass --hardware <name> (and --hardware-file for one not in the catalog)`,
        });
      return name;
    };
    // A table row's device column (row i is on line i + 2), and an accelerator's scale-up domain.
    const deviceOf = (device: string, row: number) => resolve(device, row + 2, "device");
    const domainGpusOf = (hardware: string) =>
      hardwareSpecOf(registry.get(hardware) as AcceleratorRecord).scaleUp.domainGpus;
    let rows: Measurement[];
    if (isVidurMlp(table)) {
      const modelDir = dirname(file);
      const gpuDir = basename(dirname(dirname(modelDir)));
      const hardware = resolve(gpuDir, 1, "path");
      if (hardware === undefined) throw new InputError(issues);
      rows = vidurMlpMeasurements(table, hardware, `${basename(dirname(modelDir))}/${basename(modelDir)}`);
    } else if (isVidurNetwork(table)) {
      const topology = basename(dirname(file));
      if (topology.includes("pairwise")) {
        throw new InputError([
          {
            code: "invalid-file",
            path: ["path"],
            file,
            message: `Vidur's ${topology} topology (NVLink pairs joined over PCIe) has no catalog equivalent; use the *_dgx profiles (8 GPUs on NVSwitch)`,
          },
        ]);
      }
      const hardware = resolve(topology, 1, "path");
      if (hardware === undefined) throw new InputError(issues);
      rows = vidurNetworkMeasurements(table, hardware, topology);
    } else if (isAiconfiguratorNccl(table)) {
      rows = aiconfiguratorNcclMeasurements(table, deviceOf, domainGpusOf, warn);
    } else if (isAiconfiguratorCustomAllReduce(table)) {
      rows = aiconfiguratorCustomAllReduceMeasurements(table, deviceOf, domainGpusOf, warn);
    } else if (isAiconfiguratorDeepEpLowLatency(table)) {
      rows = aiconfiguratorDeepEpLowLatencyMeasurements(table, deviceOf, domainGpusOf, warn);
    } else if (isAiconfiguratorDeepEpNormal(table)) {
      rows = aiconfiguratorDeepEpNormalMeasurements(table, deviceOf, domainGpusOf, warn);
    } else if (isAiconfiguratorGemm(table)) {
      rows = aiconfiguratorGemmMeasurements(table, deviceOf, warn);
    } else if (isAiconfiguratorMoe(table)) {
      rows = aiconfiguratorMoeMeasurements(table, deviceOf, idealMs, warn);
    } else if (isAiconfiguratorAttention(table)) {
      rows = aiconfiguratorAttentionMeasurements(table, deviceOf, warn);
    } else if (isAiconfiguratorMla(table)) {
      rows = aiconfiguratorMlaMeasurements(table, deviceOf, warn);
    } else if (isAiconfiguratorMlaBmm(table)) {
      rows = aiconfiguratorMlaBmmMeasurements(table, deviceOf, warn);
    } else if (isNativeMeasurements(table)) {
      rows = nativeMeasurements(table, (name, row) => resolve(name, row + 2, "hardware"), warn);
    } else {
      throw new InputError([
        {
          code: "unknown-format",
          path: ["--measurements"],
          file,
          line: 1,
          message: `columns match no measurement format (${table.columns.slice(0, 6).join(", ")}...)`,
          allowed: [...MEASUREMENT_FORMATS],
        },
      ]);
    }
    if (issues.length > 0) throw new InputError(issues);
    // A row whose accelerator lacks a figure its op needs (no NIC bandwidth for a collective across
    // machines) cannot be scored against the roofs: left out, and said so.
    const unpriced = new Map<string, number>();
    for (const row of rows) {
      writeIdealTimes(row.op, hardwareSpecOf(registry.get(row.hardware) as AcceleratorRecord), ideal);
      if (Number.isFinite(ideal.computeMs) && Number.isFinite(ideal.memoryMs)) out.push(row);
      else unpriced.set(row.hardware, (unpriced.get(row.hardware) ?? 0) + 1);
    }
    for (const [hardware, count] of unpriced)
      warn(
        `${file}: skipped ${count} rows that ${hardware} cannot price (a catalog figure is missing, e.g. scaleOut.bandwidthGBps for collectives across machines; see \`llmsim hardware ${hardware}\`, add it with --hardware-file)`,
      );
  }
  return out;
}
