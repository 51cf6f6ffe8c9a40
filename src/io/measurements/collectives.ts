import type { CollectiveImplementation, CollectiveKind } from "../../core/collectives/alpha-beta.ts";
import type { ExpertAllToAllShape } from "../../core/collectives/deepep.ts";
import { BYTES_PER_ELEMENT, type Dtype } from "../../core/dtype.ts";
import { InputError } from "../../core/issues.ts";
import { collectiveOp } from "../../core/ops/collective.ts";
import { detachedCopy } from "../../core/ops/detach.ts";
import {
  lowLatencyAllToAllOp,
  NORMAL_ALL_TO_ALL_SMS,
  normalAllToAllOp,
} from "../../core/ops/moe-all-to-all.ts";
import type { Op } from "../../core/ops/types.ts";
import { type GroupSpan, groupSpan } from "../../core/parallel/placement.ts";
import type { Measurement } from "../../core/predictor/calibrate.ts";
import { ownEntry } from "../../core/text/own-entry.ts";
import { CellReader, positive } from "./fields.ts";
import type { TableFile } from "./table-file.ts";

/**
 * A measured NCCL collective as the engine's op: payload bytes per GPU in the engine's convention
 * (collectiveTimeSec), which is nccl-tests' "size" — the buffer reduced (all-reduce), the whole
 * gathered output (all-gather), the whole input (reduce-scatter), everything sent including to
 * itself (all-to-all), the message (send-recv). Named after its kind so that it prices every
 * collective of that kind, library and tier.
 */
function measuredCollective(
  collective: CollectiveKind,
  bytes: number,
  span: GroupSpan,
  dtype: Dtype,
  formula: string,
  implementation: CollectiveImplementation = "nccl",
): Op {
  return {
    ...collectiveOp("collective", collective, bytes, span, formula, null, 0, implementation),
    computeDtype: dtype,
  };
}

const NCCL_COLUMNS = [
  "framework",
  "version",
  "device",
  "op_name",
  "kernel_source",
  "nccl_dtype",
  "num_gpus",
  "message_size",
  "latency",
];

/** NCCL's element types as engine dtypes (the bytes per element follow). */
const NCCL_DTYPES: Readonly<Record<string, Dtype>> = {
  half: "fp16",
  float16: "fp16",
  bfloat16: "bf16",
  float: "fp32",
  float32: "fp32",
  int8: "int8",
  fp8: "fp8",
};

const NCCL_OPS: Readonly<Record<string, CollectiveKind>> = {
  all_reduce: "all-reduce",
  all_gather: "all-gather",
  reduce_scatter: "reduce-scatter",
  alltoall: "all-to-all",
};

export function isAiconfiguratorNccl(table: TableFile): boolean {
  return table.columns.includes("nccl_dtype") && table.columns.includes("message_size");
}

/** What a one-machine collective row measures, or why it is left out. */
interface CollectiveRowKind {
  readonly collective: CollectiveKind;
  readonly dtype: Dtype;
  /** The element type as the table spells it. */
  readonly format: string;
  readonly implementation: CollectiveImplementation;
  /** How the formula names the run, e.g. "nccl-tests all_reduce". */
  readonly label: string;
  readonly group: string;
}

/**
 * Rows of `num_gpus` GPUs of one machine (as few scale-up domains as the accelerator's domain
 * allows: one, on an HGX box), `message_size` elements of the row's dtype, latency in ms: each
 * the engine's collective of that payload. `kindOf` names what a row measures, or a reason to
 * leave it out (counted, and said once per reason).
 */
function oneMachineCollectives(
  table: TableFile,
  cells: CellReader,
  kindOf: (row: number) => CollectiveRowKind | string,
  hardwareOf: (device: string, row: number) => string | undefined,
  domainGpusOf: (hardware: string) => number,
  warn: (message: string) => void,
): Measurement[] {
  const skipped = new Map<string, number>();
  const out: Measurement[] = [];
  for (let row = 0; row < table.rows.length && !cells.full(); row++) {
    const kind = kindOf(row);
    if (typeof kind === "string") {
      skipped.set(kind, (skipped.get(kind) ?? 0) + 1);
      continue;
    }
    const gpus = cells.count(row, "num_gpus");
    const elements = cells.count(row, "message_size");
    const latencyMs = cells.number(row, "latency", positive, "a positive time in ms");
    const hardware = hardwareOf(cells.text(row, "device"), row);
    if (hardware === undefined || Number.isNaN(gpus + elements + latencyMs)) continue;
    out.push({
      hardware,
      op: detachedCopy(
        measuredCollective(
          kind.collective,
          elements * BYTES_PER_ELEMENT[kind.dtype],
          groupSpan(gpus, 1, domainGpusOf(hardware)),
          kind.dtype,
          `${kind.label}, ${elements} ${kind.format} elements on ${gpus} GPUs`,
          kind.implementation,
        ),
      ),
      latencyMs,
      group: kind.group,
      source: `${table.file}:${row + 2}`,
    });
  }
  if (cells.issues.length > 0) throw new InputError(cells.issues);
  for (const [what, count] of skipped) warn(`${table.file}: skipped ${count} rows of ${what}`);
  return out;
}

/**
 * AIConfigurator's nccl_perf table (nccl-tests runs on `num_gpus` GPUs of one machine; latency in
 * ms; `message_size` in elements of `nccl_dtype`, i.e. nccl-tests' size over the element bytes).
 * Rows of an element type or collective the engine cannot express are left out, and said so.
 */
export function aiconfiguratorNcclMeasurements(
  table: TableFile,
  hardwareOf: (device: string, row: number) => string | undefined,
  domainGpusOf: (hardware: string) => number,
  warn: (message: string) => void,
): Measurement[] {
  const cells = new CellReader(table);
  if (!cells.checkColumns(NCCL_COLUMNS, () => false)) throw new InputError(cells.issues);
  const kindOf = (row: number): CollectiveRowKind | string => {
    const format = cells.text(row, "nccl_dtype");
    const opName = cells.text(row, "op_name");
    const dtype = ownEntry(NCCL_DTYPES, format);
    const collective = ownEntry(NCCL_OPS, opName);
    if (dtype === undefined) return `nccl_dtype "${format}" (known: ${Object.keys(NCCL_DTYPES).join(", ")})`;
    if (collective === undefined) return `op_name "${opName}" (known: ${Object.keys(NCCL_OPS).join(", ")})`;
    return {
      collective,
      dtype,
      format,
      implementation: "nccl",
      label: `nccl-tests ${opName}`,
      group: `NCCL ${cells.text(row, "version")}`,
    };
  };
  return oneMachineCollectives(table, cells, kindOf, hardwareOf, domainGpusOf, warn);
}

const CUSTOM_ALL_REDUCE_COLUMNS = [
  "framework",
  "version",
  "device",
  "op_name",
  "kernel_source",
  "allreduce_dtype",
  "num_gpus",
  "message_size",
  "latency",
];
/** The column naming the kernel: TensorRT-LLM's table says `implementation`, vLLM's `backend`. */
const KERNEL_COLUMNS = ["implementation", "backend"];

/**
 * Kernels of a custom all-reduce row: TensorRT-LLM's and vLLM's own kernels (vLLM's captured in a
 * CUDA graph), or NCCL. vLLM's eager rows carry a host launch per call, which the engine (CUDA
 * graphs) does not model: they are left out.
 */
const ALL_REDUCE_KERNELS: Readonly<Record<string, CollectiveImplementation>> = {
  trtllm: "custom",
  vllm_graph: "custom",
  nccl: "nccl",
};

export function isAiconfiguratorCustomAllReduce(table: TableFile): boolean {
  return table.columns.includes("allreduce_dtype") && table.columns.includes("message_size");
}

/**
 * AIConfigurator's custom_allreduce_perf tables (a framework's own all-reduce on `num_gpus` GPUs
 * of one machine; latency in ms; `message_size` in elements of `allreduce_dtype`). Each row is the
 * engine's all-reduce of that many bytes on the `custom` kernels (`llmsim step --all-reduce
 * custom`), or on NCCL's where the row says so.
 */
export function aiconfiguratorCustomAllReduceMeasurements(
  table: TableFile,
  hardwareOf: (device: string, row: number) => string | undefined,
  domainGpusOf: (hardware: string) => number,
  warn: (message: string) => void,
): Measurement[] {
  const cells = new CellReader(table);
  const known = [...CUSTOM_ALL_REDUCE_COLUMNS, ...KERNEL_COLUMNS];
  if (!cells.checkColumns(CUSTOM_ALL_REDUCE_COLUMNS, (c) => KERNEL_COLUMNS.includes(c), known))
    throw new InputError(cells.issues);
  const kernelColumn = KERNEL_COLUMNS.find((c) => table.columns.includes(c));
  const kindOf = (row: number): CollectiveRowKind | string => {
    const format = cells.text(row, "allreduce_dtype");
    const opName = cells.text(row, "op_name");
    const kernel = kernelColumn === undefined ? "trtllm" : cells.text(row, kernelColumn);
    const dtype = ownEntry(NCCL_DTYPES, format);
    const implementation = ownEntry(ALL_REDUCE_KERNELS, kernel);
    if (opName !== "all_reduce") return `op_name "${opName}" (known: all_reduce)`;
    if (dtype === undefined)
      return `allreduce_dtype "${format}" (known: ${Object.keys(NCCL_DTYPES).join(", ")})`;
    if (implementation === undefined)
      return `${kernelColumn} "${kernel}" (known: ${Object.keys(ALL_REDUCE_KERNELS).join(", ")})`;
    const framework = `${cells.text(row, "framework")} ${cells.text(row, "version")}`;
    return {
      collective: "all-reduce",
      dtype,
      format,
      implementation,
      label: `${framework} ${kernel} all-reduce`,
      group: framework,
    };
  };
  return oneMachineCollectives(table, cells, kindOf, hardwareOf, domainGpusOf, warn);
}

/** Columns every AIConfigurator DeepEP table has: the shape of one MoE layer's exchange. */
const DEEPEP_SHAPE_COLUMNS = [
  "framework",
  "version",
  "device",
  "op_name",
  "kernel_source",
  "node_num",
  "hidden_size",
  "num_token",
  "num_topk",
  "num_experts",
];

const DEEPEP_LL_COLUMNS = [
  ...DEEPEP_SHAPE_COLUMNS,
  "combine_avg_t_us",
  "combine_bandwidth_gbps",
  "dispatch_avg_t_us",
  "dispatch_bandwidth_gbps",
];

const DEEPEP_NORMAL_COLUMNS = [
  ...DEEPEP_SHAPE_COLUMNS,
  "dispatch_sms",
  "dispatch_transmit_us",
  "dispatch_notify_us",
  "combine_sms",
  "combine_transmit_us",
  "combine_notify_us",
];

/** GPUs per node the collector's ranks span: an HGX machine's eight. */
const DEEPEP_GPUS_PER_NODE = 8;

/** One DeepEP table row's exchange, read and placed. */
interface DeepEpRow {
  readonly row: number;
  readonly nodes: number;
  readonly hidden: number;
  readonly tokens: number;
  readonly topK: number;
  readonly experts: number;
  readonly hardware: string;
  readonly span: GroupSpan;
  readonly group: string;
  readonly source: string;
}

/**
 * Reads a DeepEP table's rows (after its columns are checked) and hands each placed row to `emit`.
 * Accelerators whose scale-up domain is not one eight-GPU machine (NVL72 racks) are left out with a
 * warning: the table does not say how its ranks sit in such a domain.
 */
function deepEpRows(
  table: TableFile,
  cells: CellReader,
  hardwareOf: (device: string, row: number) => string | undefined,
  domainGpusOf: (hardware: string) => number,
  warn: (message: string) => void,
  emit: (shape: DeepEpRow) => void,
): void {
  const otherDomains = new Map<string, number>();
  for (let row = 0; row < table.rows.length && !cells.full(); row++) {
    const nodes = cells.count(row, "node_num");
    const hidden = cells.count(row, "hidden_size");
    const tokens = cells.count(row, "num_token");
    const topK = cells.count(row, "num_topk");
    const experts = cells.count(row, "num_experts");
    const hardware = hardwareOf(cells.text(row, "device"), row);
    if (hardware === undefined || Number.isNaN(nodes + hidden + tokens + topK + experts)) continue;
    const domainGpus = domainGpusOf(hardware);
    if (domainGpus !== DEEPEP_GPUS_PER_NODE) {
      otherDomains.set(hardware, (otherDomains.get(hardware) ?? 0) + 1);
      continue;
    }
    emit({
      row,
      nodes,
      hidden,
      tokens,
      topK,
      experts,
      hardware,
      span: groupSpan(nodes * DEEPEP_GPUS_PER_NODE, 1, domainGpus),
      group: `DeepEP (${cells.text(row, "framework")} ${cells.text(row, "version")})`,
      source: `${table.file}:${row + 2}`,
    });
  }
  if (cells.issues.length > 0) throw new InputError(cells.issues);
  for (const [hardware, count] of otherDomains)
    warn(
      `${table.file}: skipped ${count} rows on ${hardware}, whose scale-up domain is not one 8-GPU machine (how the table's ranks sit in it is not recorded)`,
    );
}

/** A row's exchange as the engine's op shape: every GPU an EP rank with whole experts, balanced. */
function deepEpShape(r: DeepEpRow, elementBytes: number): ExpertAllToAllShape {
  return {
    tokensPerRank: r.tokens,
    hidden: r.hidden,
    topK: r.topK,
    experts: r.experts,
    ep: r.span.size,
    expertTp: 1,
    imbalance: 1,
    elementBytes,
  };
}

export function isAiconfiguratorDeepEpLowLatency(table: TableFile): boolean {
  return table.columns.includes("dispatch_avg_t_us") && table.columns.includes("combine_avg_t_us");
}

/**
 * AIConfigurator's wideep_deepep_ll_perf table (DeepEP's low-latency kernels under SGLang:
 * `num_token` tokens per rank, each sent to its `num_topk` experts over `node_num` machines of
 * eight GPUs; times in µs). Each row is the engine's moe_dispatch and moe_combine low-latency
 * all-to-alls of that payload: tokens·k·H bytes dispatched in FP8 and twice that combined in BF16,
 * the engine's convention — the table's own bandwidth column counts the same bytes, plus the FP8
 * scales (4 bytes per 128 elements).
 */
export function aiconfiguratorDeepEpLowLatencyMeasurements(
  table: TableFile,
  hardwareOf: (device: string, row: number) => string | undefined,
  domainGpusOf: (hardware: string) => number,
  warn: (message: string) => void,
): Measurement[] {
  const cells = new CellReader(table);
  if (!cells.checkColumns(DEEPEP_LL_COLUMNS, () => false)) throw new InputError(cells.issues);
  const out: Measurement[] = [];
  deepEpRows(table, cells, hardwareOf, domainGpusOf, warn, (r) => {
    const dispatchUs = cells.number(r.row, "dispatch_avg_t_us", positive, "a positive time in µs");
    const combineUs = cells.number(r.row, "combine_avg_t_us", positive, "a positive time in µs");
    if (Number.isNaN(dispatchUs + combineUs)) return;
    const formula = `DeepEP low-latency, ${r.tokens} tokens x top-${r.topK} x ${r.hidden} on ${r.nodes} x 8 GPUs`;
    for (const [name, elementBytes, us] of [
      ["moe_dispatch", BYTES_PER_ELEMENT.fp8, dispatchUs],
      ["moe_combine", BYTES_PER_ELEMENT.bf16, combineUs],
    ] as const)
      out.push({
        hardware: r.hardware,
        op: detachedCopy({ ...lowLatencyAllToAllOp(name, deepEpShape(r, elementBytes), r.span), formula }),
        latencyMs: us / 1e3,
        group: r.group,
        source: r.source,
      });
  });
  return out;
}

export function isAiconfiguratorDeepEpNormal(table: TableFile): boolean {
  return table.columns.includes("dispatch_transmit_us") && table.columns.includes("combine_transmit_us");
}

/**
 * AIConfigurator's wideep_deepep_normal_perf table (DeepEP's normal kernels under SGLang, tuned per
 * SM count; its collector runs DeepEP's intranode test and keeps the FP8 dispatch and the BF16
 * combine, times in µs). Each row at DeepEP's default 20 SMs — the engine's — is the engine's
 * normal-mode moe_dispatch and moe_combine of that shape (normalAllToAllOp: the same op, tier bytes
 * and SM share a step builds), timed as transmit plus notify. Rows at other SM counts are left out
 * and counted in a warning. The collector keeps the best NVL chunk size of its sweep, so these times
 * are the tuned kernel's, not necessarily a deployment's default configuration.
 */
export function aiconfiguratorDeepEpNormalMeasurements(
  table: TableFile,
  hardwareOf: (device: string, row: number) => string | undefined,
  domainGpusOf: (hardware: string) => number,
  warn: (message: string) => void,
): Measurement[] {
  const cells = new CellReader(table);
  if (!cells.checkColumns(DEEPEP_NORMAL_COLUMNS, () => false)) throw new InputError(cells.issues);
  const out: Measurement[] = [];
  let otherSms = 0;
  deepEpRows(table, cells, hardwareOf, domainGpusOf, warn, (r) => {
    for (const [name, phase, elementBytes] of [
      ["moe_dispatch", "dispatch", BYTES_PER_ELEMENT.fp8],
      ["moe_combine", "combine", BYTES_PER_ELEMENT.bf16],
    ] as const) {
      const sms = cells.count(r.row, `${phase}_sms`);
      const transmitUs = cells.number(r.row, `${phase}_transmit_us`, positive, "a positive time in µs");
      const notifyUs = cells.number(r.row, `${phase}_notify_us`, (v) => v >= 0, "a time in µs, 0 or more");
      if (Number.isNaN(sms + transmitUs + notifyUs)) continue;
      if (sms !== NORMAL_ALL_TO_ALL_SMS) {
        otherSms++;
        continue;
      }
      const op = normalAllToAllOp(name, deepEpShape(r, elementBytes), r.span);
      out.push({
        hardware: r.hardware,
        op: detachedCopy({
          ...op,
          formula: `DeepEP normal, ${r.tokens} tokens x top-${r.topK} of ${r.experts} experts x ${r.hidden} on ${r.nodes} x 8 GPUs, ${sms} SMs`,
        }),
        latencyMs: (transmitUs + notifyUs) / 1e3,
        group: r.group,
        source: r.source,
      });
    }
  });
  if (otherSms > 0)
    warn(
      `${table.file}: left out ${otherSms} dispatch/combine timings at SM counts other than DeepEP's default ${NORMAL_ALL_TO_ALL_SMS} (the engine's)`,
    );
  return out;
}

const VIDUR_NETWORK_COLUMNS = [
  "rank",
  "num_workers",
  "size",
  "collective",
  "devices_per_node",
  "max_devices_per_node",
];
const VIDUR_COLLECTIVES: Readonly<Record<string, CollectiveKind>> = {
  all_reduce: "all-reduce",
  send_recv: "send-recv",
};
const STATISTICS = ["min", "max", "mean", "median", "std"];

export function isVidurNetwork(table: TableFile): boolean {
  return table.columns.includes("devices_per_node") && table.columns.some((c) => c.startsWith("time_stats."));
}

/**
 * Vidur's network profiles (`network/<topology>/{all_reduce,send_recv}.csv`: NCCL via
 * torch.distributed, median of repeated runs in ms, `size` in bytes of FP16 elements) on
 * `num_workers` GPUs, `devices_per_node` of them per machine. Each row becomes the engine's
 * collective over that many scale-up domains.
 */
export function vidurNetworkMeasurements(table: TableFile, hardware: string, group: string): Measurement[] {
  const cells = new CellReader(table);
  const timeColumn = (c: string) => {
    const [prefix, op, stat] = c.split(".");
    return (
      prefix === "time_stats" &&
      Object.hasOwn(VIDUR_COLLECTIVES, op as string) &&
      STATISTICS.includes(stat as string)
    );
  };
  // "" is the index column pandas writes.
  if (
    !cells.checkColumns(VIDUR_NETWORK_COLUMNS, (c) => c === "" || timeColumn(c), [
      ...VIDUR_NETWORK_COLUMNS,
      `time_stats.{${Object.keys(VIDUR_COLLECTIVES).join(",")}}.{${STATISTICS.join(",")}}`,
    ])
  )
    throw new InputError(cells.issues);
  const out: Measurement[] = [];
  for (let row = 0; row < table.rows.length && !cells.full(); row++) {
    const name = cells.text(row, "collective");
    const collective = cells.oneOf(row, "collective", VIDUR_COLLECTIVES);
    const workers = cells.count(row, "num_workers");
    const perNode = cells.count(row, "devices_per_node");
    const bytes = cells.count(row, "size");
    if (collective === undefined || Number.isNaN(workers + perNode + bytes)) continue;
    if (!table.columns.includes(`time_stats.${name}.median`)) {
      cells.issues.push({
        code: "missing-field",
        path: [`time_stats.${name}.median`],
        file: table.file,
        line: 1,
        message: `rows of collective "${name}" need the column "time_stats.${name}.median"`,
      });
      break;
    }
    if (perNode > workers) {
      cells.issues.push({
        code: "invalid-value",
        path: ["devices_per_node"],
        file: table.file,
        line: row + 2,
        column: table.columns.indexOf("devices_per_node") + 1,
        message: `devices_per_node ${perNode} exceeds num_workers ${workers}`,
      });
      continue;
    }
    const latencyMs = cells.number(row, `time_stats.${name}.median`, positive, "a positive time in ms");
    if (Number.isNaN(latencyMs)) continue;
    const span: GroupSpan = {
      size: workers,
      membersPerDomain: perNode,
      domains: Math.ceil(workers / perNode),
    };
    out.push({
      hardware,
      op: detachedCopy(
        measuredCollective(
          collective,
          bytes,
          span,
          "fp16",
          `Vidur ${name}, ${bytes} bytes on ${workers} GPUs, ${perNode} per node`,
        ),
      ),
      latencyMs,
      group,
      source: `${table.file}:${row + 2}`,
    });
  }
  if (cells.issues.length > 0) throw new InputError(cells.issues);
  return out;
}
