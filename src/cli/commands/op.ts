import type { Command } from "@commander-js/extra-typings";
import { COLLECTIVES, type CollectiveKind } from "../../core/collectives/alpha-beta.ts";
import { ALL_REDUCE_IMPLEMENTATIONS } from "../../core/collectives/custom-all-reduce.ts";
import { BYTES_PER_ELEMENT, type Dtype, peakClassOf } from "../../core/dtype.ts";
import { hardwareSpecOf } from "../../core/hardware/resolve.ts";
import { InputError } from "../../core/issues.ts";
import { gqaDecodeAttention, gqaPrefillAttention } from "../../core/ops/attention.ts";
import { collectiveOp } from "../../core/ops/collective.ts";
import { gemm } from "../../core/ops/gemm.ts";
import { lowLatencyAllToAllOp, normalAllToAllOp } from "../../core/ops/moe-all-to-all.ts";
import type { Op } from "../../core/ops/types.ts";
import { groupSpan } from "../../core/parallel/placement.ts";
import { DEFAULT_PLAN, resolvePlan, validatePlan } from "../../core/parallel/plan.ts";
import { rooflinePredictor } from "../../core/predictor/roofline.ts";
import { buildContext } from "../../core/step/context.ts";
import { resolveDtypes } from "../../core/step/dtypes.ts";
import { costBlock } from "../../core/step/evaluate.ts";
import { decoderLayerOps } from "../../core/step/layer-ops.ts";
import { opRecords } from "../../core/step/records.ts";
import { loadHardwareRegistry } from "../../io/hardware.ts";
import { loadModel } from "../../io/model.ts";
import { OP_CSV_HEAD, opCsvCells, renderOpTable } from "../format/op-table.ts";
import { renderCsv, renderJson } from "../format/table.ts";
import { dtype, intAtLeast, oneOf, outputFormat, positiveNumber } from "../options.ts";

const MOE_ALL_TO_ALLS = ["moe-dispatch", "moe-combine"] as const;
const KINDS = ["gemm", "attention", ...COLLECTIVES, ...MOE_ALL_TO_ALLS] as const;
const A2A_MODES = ["normal", "low-latency"] as const;

export function registerOp(program: Command): void {
  program
    .command("op")
    .description(
      "Cost a single kernel on an accelerator: FLOPs, bytes, intensity, roofline time and the formula used",
    )
    .argument("<kind>", KINDS.join(" | "))
    .requiredOption("--hardware <name>", "accelerator or cluster")
    .option("--hardware-file <files...>", "YAML/JSON files with extra accelerators and clusters")
    .option("--m <n>", "gemm: rows (tokens)", intAtLeast(1))
    .option("--n <n>", "gemm: output features", intAtLeast(1))
    .option("--k <n>", "gemm: input features", intAtLeast(1))
    .option(
      "--dtype <dtype>",
      "gemm: weight and compute format (default bf16); moe-dispatch/combine: payload format (default fp8 / bf16)",
      dtype,
    )
    .option(
      "--model <id|config.json>",
      "attention: take head shapes from this model (MLA included); moe-dispatch/combine: hidden size, top-k and experts",
    )
    .option("--tp <n>", "attention with --model: heads split over this many GPUs", intAtLeast(1))
    .option("--phase <phase>", "attention: decode | prefill (default decode)")
    .option(
      "--batch <n>",
      "attention: sequences; gemm: independent GEMMs in one batched kernel (a per-head BMM)",
      intAtLeast(1),
    )
    .option("--heads <n>", "attention: query heads on the GPU", intAtLeast(1))
    .option("--kv-heads <n>", "attention: KV heads on the GPU (default = heads)", intAtLeast(1))
    .option("--head-dim <n>", "attention: head dimension (default 128)", intAtLeast(1))
    .option("--context <n>", "attention decode: KV length attended", intAtLeast(1))
    .option("--seq <n>", "attention prefill: new tokens per sequence", intAtLeast(1))
    .option("--cached <n>", "attention prefill: cached prefix tokens", intAtLeast(0))
    .option("--window <n>", "attention: sliding window", intAtLeast(1))
    .option("--kv-dtype <dtype>", "attention: KV-cache format (default bf16)", dtype)
    .option("--bytes <n>", "collective: payload per GPU in bytes", positiveNumber())
    .option("--gpus <n>", "collective: group size (moe-dispatch/combine: the EP ranks)", intAtLeast(1))
    .option("--stride <n>", "collective: rank distance between members (default 1)", intAtLeast(1))
    .option(
      "--all-reduce <kernels>",
      "all-reduce: nccl | custom (the framework's one-shot kernel inside one scale-up domain; default nccl)",
      oneOf(ALL_REDUCE_IMPLEMENTATIONS),
    )
    .option("--tokens <n>", "moe-dispatch/combine: tokens each GPU sends", intAtLeast(1))
    .option("--hidden <n>", "moe-dispatch/combine: hidden size (or --model)", intAtLeast(1))
    .option("--topk <n>", "moe-dispatch/combine: experts per token (or --model)", intAtLeast(1))
    .option("--experts <n>", "moe-dispatch/combine: routed experts (or --model)", intAtLeast(1))
    .option(
      "--a2a <mode>",
      "moe-dispatch/combine: DeepEP's normal (prefill) or low-latency (decode) kernels (default normal)",
      oneOf(A2A_MODES),
    )
    .option("--json", "machine-readable JSON on stdout")
    .option("--csv", "CSV on stdout")
    .action((kind, options) => {
      const format = outputFormat(options);
      if (!(KINDS as readonly string[]).includes(kind)) {
        throw new InputError([
          {
            code: "invalid-value",
            path: ["kind"],
            message: `unknown op kind "${kind}"`,
            allowed: [...KINDS],
          },
        ]);
      }
      const registry = loadHardwareRegistry(options.hardwareFile ?? []);
      const resolved = registry.resolve(options.hardware);
      if (!resolved.ok) throw new InputError(resolved.issues);
      const hardware = hardwareSpecOf(resolved.record);
      const require = <T>(value: T | undefined, flag: string): T => {
        if (value === undefined)
          throw new InputError([{ code: "missing-field", path: [flag], message: `${kind} needs ${flag}` }]);
        return value;
      };
      let ops: Op[];
      if (kind === "gemm") {
        const format: Dtype = options.dtype ?? "bf16";
        const computeDtype = hardware.peakFlopsPerSec[peakClassOf(format)] !== undefined ? format : "bf16";
        ops = [
          gemm({
            name: "gemm",
            m: require(options.m, "--m"),
            n: require(options.n, "--n"),
            k: require(options.k, "--k"),
            batch: options.batch,
            weightDtype: format,
            activationDtype: format === "fp32" ? "fp32" : "bf16",
            computeDtype,
            formula:
              options.batch === undefined
                ? "2·m·n·k FLOPs; reads k·n·w + m·k·a, writes m·n·a"
                : "2·batch·m·n·k FLOPs; reads batch·(k·n·w + m·k·a), writes batch·m·n·a",
          }),
        ];
      } else if (kind === "attention") {
        ops = attentionOps(options, hardware, require);
      } else if (kind === "moe-dispatch" || kind === "moe-combine") {
        ops = [moeAllToAllOp(kind, options, hardware, require)];
      } else {
        const gpus = require(options.gpus, "--gpus");
        const span = groupSpan(gpus, options.stride ?? 1, hardware.scaleUp.domainGpus);
        const custom = options.allReduce === "custom" && span.domains === 1;
        ops = [
          collectiveOp(
            kind,
            kind as CollectiveKind,
            require(options.bytes, "--bytes"),
            span,
            `${kind} over ${gpus} GPUs (${span.domains} scale-up domain(s))${custom ? ", custom one-shot kernel" : ""}`,
            null,
            0,
            custom ? "custom" : "nccl",
          ),
        ];
      }
      if (options.allReduce !== undefined && kind !== "all-reduce")
        throw new InputError([
          {
            code: "invalid-value",
            path: ["--all-reduce"],
            message: `applies to the all-reduce op only, not ${kind}`,
          },
        ]);
      const records = opRecords(costBlock(ops, hardware, rooflinePredictor(), "none"));
      if (records.some((record) => !Number.isFinite(record.ms))) {
        throw new InputError([
          {
            code: "missing-figure",
            path: ["hardware"],
            message: `${resolved.record.name} lacks a figure this op needs (see \`llmsim hardware ${resolved.record.name}\`)`,
          },
        ]);
      }
      if (format === "json") {
        return void process.stdout.write(
          renderJson({ schemaVersion: 1, hardware: resolved.record.name, ops: records }),
        );
      }
      if (format === "csv") {
        return void process.stdout.write(
          renderCsv(
            [...OP_CSV_HEAD, "formula"],
            records.map((r) => [...opCsvCells(r), r.formula]),
          ),
        );
      }
      process.stdout.write(`${renderOpTable(records)}\n`);
      for (const record of records) process.stdout.write(`${record.name}: ${record.formula}\n`);
    });
}

/**
 * One MoE layer's dispatch or combine among `--gpus` EP ranks (one expert shard each, balanced
 * routing): the op a step builds (src/core/ops/moe-all-to-all.ts), FP8 out and BF16 back unless
 * `--dtype` says otherwise.
 */
function moeAllToAllOp(
  kind: (typeof MOE_ALL_TO_ALLS)[number],
  options: OpOptions & {
    tokens?: number;
    hidden?: number;
    topk?: number;
    experts?: number;
    gpus?: number;
    a2a?: string;
    dtype?: Dtype;
  },
  hardware: ReturnType<typeof hardwareSpecOf>,
  require: <T>(v: T | undefined, flag: string) => T,
): Op {
  let fromModel: { hidden: number; topK: number; experts: number } | undefined;
  if (options.model !== undefined) {
    const model = loadModel(options.model);
    if (!model.moe)
      throw new InputError([
        { code: "invalid-value", path: ["--model"], message: `${model.id} has no routed experts` },
      ]);
    fromModel = { hidden: model.hiddenSize, topK: model.moe.topK, experts: model.moe.numExperts };
  }
  const gpus = require(options.gpus, "--gpus");
  const tokensPerRank = require(options.tokens, "--tokens");
  const hidden = require(options.hidden ?? fromModel?.hidden, "--hidden");
  const topK = require(options.topk ?? fromModel?.topK, "--topk");
  const experts = require(options.experts ?? fromModel?.experts, "--experts");
  if (topK > experts || experts % gpus !== 0)
    throw new InputError([
      {
        code: "invalid-value",
        path: [topK > experts ? "--topk" : "--gpus"],
        message:
          topK > experts
            ? `top-${topK} of ${experts} experts: a token picks at most every expert`
            : `${gpus} EP ranks do not divide the ${experts} experts (each rank holds whole experts)`,
      },
    ]);
  const shape = {
    tokensPerRank,
    hidden,
    topK,
    experts,
    ep: gpus,
    expertTp: 1,
    imbalance: 1,
    elementBytes: BYTES_PER_ELEMENT[options.dtype ?? (kind === "moe-dispatch" ? "fp8" : "bf16")],
  };
  const span = groupSpan(gpus, 1, hardware.scaleUp.domainGpus);
  const name = kind === "moe-dispatch" ? "moe_dispatch" : "moe_combine";
  return options.a2a === "low-latency"
    ? lowLatencyAllToAllOp(name, shape, span)
    : normalAllToAllOp(name, shape, span);
}

type OpOptions = {
  model?: string;
  tp?: number;
  phase?: string;
  batch?: number;
  heads?: number;
  kvHeads?: number;
  headDim?: number;
  context?: number;
  seq?: number;
  cached?: number;
  window?: number;
  kvDtype?: Dtype;
};

function attentionOps(
  options: OpOptions,
  hardware: ReturnType<typeof hardwareSpecOf>,
  require: <T>(v: T | undefined, flag: string) => T,
): Op[] {
  const phase = options.phase ?? "decode";
  if (phase !== "decode" && phase !== "prefill") {
    throw new InputError([
      {
        code: "invalid-value",
        path: ["--phase"],
        message: `unknown phase "${phase}"`,
        allowed: ["decode", "prefill"],
      },
    ]);
  }
  const batch = options.batch ?? 1;
  const workload =
    phase === "decode"
      ? { prefill: null, decode: { sequences: batch, contextTokens: require(options.context, "--context") } }
      : {
          prefill: {
            sequences: batch,
            newTokens: require(options.seq, "--seq"),
            cachedTokens: options.cached ?? 0,
          },
          decode: null,
        };
  if (options.model !== undefined) {
    const model = loadModel(options.model);
    const plan = { ...DEFAULT_PLAN, tp: options.tp ?? 1 };
    const issues = validatePlan(model, plan);
    if (issues.length > 0) throw new InputError(issues);
    const dtypes = resolveDtypes(model, hardware, options.kvDtype ? { kvCache: options.kvDtype } : {});
    const ctx = buildContext(model, resolvePlan(model, plan), dtypes, hardware, "auto", "low-latency");
    const layer = model.layers[0] ?? { ffn: "dense" as const, slidingWindow: null };
    return decoderLayerOps(
      ctx,
      { ...layer, slidingWindow: options.window ?? layer.slidingWindow },
      workload,
    ).filter((op) => op.kind === "attention");
  }
  const heads = require(options.heads, "--heads");
  const args = {
    sequences: batch,
    heads,
    kvHeads: options.kvHeads ?? heads,
    headDim: options.headDim ?? 128,
    window: options.window ?? null,
    kvDtype: options.kvDtype ?? "bf16",
    activationDtype: "bf16" as const,
    computeDtype: "bf16" as const,
  };
  return workload.decode
    ? [gqaDecodeAttention(args, workload.decode.contextTokens)]
    : [gqaPrefillAttention(args, workload.prefill?.newTokens ?? 1, workload.prefill?.cachedTokens ?? 0)];
}
