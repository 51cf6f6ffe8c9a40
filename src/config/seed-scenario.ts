import type { CollectiveKind } from "../core/collectives/alpha-beta.ts";
import type { Dtype } from "../core/dtype.ts";
import { HardwareRegistry } from "../core/hardware/catalog.ts";
import type { AcceleratorRecord } from "../core/hardware/types.ts";
import type { Issue } from "../core/issues.ts";
import type { AttentionSpec, LayerKind, MlpSpec, ModelSpec, MoeSpec } from "../core/model/types.ts";
import type { CommLayerSpec } from "../core/scenario/types.ts";
import type { OverlapPolicy } from "../core/step/overlap.ts";
import type { SeedHardware } from "./schema/seed-hardware.ts";
import type { SeedAttnConfig, SeedLayer } from "./schema/seed-layer.ts";
import type { SeedLayerType } from "./schema/seed-scenario.ts";

/**
 * DeepSeek-V3 figures used where a seed template omits a field the engine needs. Source:
 * deepseek-ai/DeepSeek-V3 config.json (src/data/models/deepseek-ai--DeepSeek-V3.json).
 */
export const DEEPSEEK_V3_DEFAULTS = {
  q_lora_rank: 1536,
  kv_lora_rank: 512,
  qk_nope_head_dim: 128,
  qk_rope_head_dim: 64,
  v_head_dim: 128,
  n_routed_experts: 256,
  n_shared_experts: 1,
  vocab_size: 129280,
} as const;

const DEFAULT_SOURCE = "DeepSeek-V3 config.json";

/** One scenario layer with its parsed template. */
export interface SeedLayerInput {
  readonly type: SeedLayerType;
  readonly name: string;
  readonly file: string;
  readonly template: SeedLayer;
}

export type Converted<T> = { ok: true; value: T; warnings: string[] } | { ok: false; issues: Issue[] };

/**
 * Seed hardware -> engine record. interconnect_gbps is NVIDIA's bidirectional figure (A100 NVLink3:
 * 600 GB/s = 12 links x 25 GB/s each way), the engine wants one direction: half of it.
 */
export function seedHardwareRecord(hardware: SeedHardware): {
  record: AcceleratorRecord;
  warnings: string[];
} {
  const warnings: string[] = [];
  let domainGpus = hardware.scale_up_domain_gpus;
  if (domainGpus === undefined) {
    // The catalog's figure is sourced (A100-SXM4-80GB: 8 GPUs on an HGX/DGX baseboard).
    domainGpus = new HardwareRegistry().get(hardware.name)?.scaleUp?.domainGpus;
    if (domainGpus === undefined) {
      domainGpus = 1;
      warnings.push(
        `scale_up_domain_gpus not given and "${hardware.name}" is not in the catalog: 1 GPU per scale-up domain`,
      );
    }
  }
  return {
    record: {
      name: hardware.name,
      denseTflops: { bf16: hardware.peak_tflops },
      hbmGB: hardware.hbm_gb,
      hbmBandwidthGBps: hardware.memory_bandwidth_gbps,
      scaleUp: { bandwidthGBps: hardware.interconnect_gbps / 2, domainGpus },
      ...(hardware.scale_out_gbps === undefined
        ? {}
        : { scaleOut: { bandwidthGBps: hardware.scale_out_gbps } }),
      notes: "from an LLMSimulator hardware file: interconnect_gbps halved to one direction",
    },
    warnings,
  };
}

/**
 * max_concurrency 1 runs everything back to back; 2 or more overlaps communication with computation
 * at overlap_efficiency (0 hides nothing, 1 hides all a "full" overlap can).
 */
export function seedOverlap(hardware: SeedHardware): { overlap: OverlapPolicy; overlapEfficiency: number } {
  const overlaps = hardware.max_concurrency >= 2 && hardware.overlap_efficiency > 0;
  return overlaps
    ? { overlap: "full", overlapEfficiency: hardware.overlap_efficiency }
    : { overlap: "none", overlapEfficiency: 0 };
}

/** The engine collective of a comm_layer template (payload_mb in decimal MB, as GB is 10^9 bytes in units.ts). */
export function seedCommLayer(layer: SeedLayerInput, domainGpus: number): Converted<CommLayerSpec> {
  const comm = layer.template.comm_config;
  if (!comm) return { ok: false, issues: [missingBlock(layer, "comm_config")] };
  return {
    ok: true,
    value: {
      collective: comm.pattern.replaceAll("_", "-") as CollectiveKind,
      payloadBytes: comm.payload_mb * 1e6,
      groupSize: comm.group_size ?? domainGpus,
    },
    warnings: [],
  };
}

function missingBlock(layer: SeedLayerInput, block: string): Issue {
  return {
    code: "missing-field",
    path: [block],
    message: `a ${layer.type} template needs ${block} (layer "${layer.name}")`,
    file: layer.file,
  };
}

function attentionOf(
  attn: SeedAttnConfig,
  file: string,
  issues: Issue[],
  warnings: string[],
): AttentionSpec | null {
  const fallback = <K extends keyof typeof DEEPSEEK_V3_DEFAULTS>(
    key: K,
    value: number | null | undefined,
  ) => {
    if (value !== undefined) return value;
    warnings.push(`${file}: attn_config.${key} not given: ${DEEPSEEK_V3_DEFAULTS[key]} (${DEFAULT_SOURCE})`);
    return DEEPSEEK_V3_DEFAULTS[key];
  };
  const heads = attn.num_attention_heads;
  if (attn.type === "MLA") {
    const qkNopeHeadDim = fallback("qk_nope_head_dim", attn.qk_nope_head_dim) as number;
    const qkRopeHeadDim = fallback("qk_rope_head_dim", attn.qk_rope_head_dim) as number;
    if (attn.head_dim !== undefined && attn.head_dim !== qkNopeHeadDim + qkRopeHeadDim) {
      warnings.push(
        `${file}: attn_config.head_dim ${attn.head_dim} is not used by MLA (queries and keys are qk_nope_head_dim + qk_rope_head_dim = ${qkNopeHeadDim + qkRopeHeadDim} wide)`,
      );
    }
    return {
      kind: "mla",
      numHeads: heads,
      qLoraRank: fallback("q_lora_rank", attn.q_lora_rank),
      kvLoraRank: fallback("kv_lora_rank", attn.kv_lora_rank) as number,
      qkNopeHeadDim,
      qkRopeHeadDim,
      vHeadDim: fallback("v_head_dim", attn.v_head_dim) as number,
    };
  }
  const headDim = attn.head_dim ?? Math.floor(attn.d_model / heads);
  const kvHeads = attn.type === "MHA" ? heads : attn.type === "MQA" ? 1 : attn.num_key_value_heads;
  const bad = (path: string, message: string) =>
    issues.push({ code: "invalid-value", path: ["attn_config", path], message, file });
  if (kvHeads === undefined) {
    issues.push({
      code: "missing-field",
      path: ["attn_config", "num_key_value_heads"],
      message: "GQA needs num_key_value_heads",
      file,
    });
    return null;
  }
  if (attn.num_key_value_heads !== undefined && attn.num_key_value_heads !== kvHeads)
    bad("num_key_value_heads", `${attn.type} has ${kvHeads} KV heads, got ${attn.num_key_value_heads}`);
  if (heads % kvHeads !== 0) bad("num_key_value_heads", `${kvHeads} KV heads must divide the ${heads} heads`);
  if (attn.v_head_dim !== undefined && attn.v_head_dim !== headDim)
    bad("v_head_dim", `${attn.type} uses one head size: v_head_dim must equal head_dim ${headDim}`);
  return {
    kind: "gqa",
    numHeads: heads,
    numKvHeads: kvHeads,
    headDim,
    qkvBias: false,
    outputBias: false,
    qkNorm: false,
    sinks: false,
  };
}

/** Seed field names of engine spec keys, to point an inconsistency at the field that differs. */
const SEED_FIELDS: Readonly<Record<string, string>> = {
  kind: "type",
  numHeads: "num_attention_heads",
  numKvHeads: "num_key_value_heads",
  headDim: "head_dim",
  qLoraRank: "q_lora_rank",
  kvLoraRank: "kv_lora_rank",
  qkNopeHeadDim: "qk_nope_head_dim",
  qkRopeHeadDim: "qk_rope_head_dim",
  vHeadDim: "v_head_dim",
  numExperts: "n_routed_experts",
  topK: "num_experts_per_tok",
  gated: "gated",
  routerBias: "topk_method",
};

/** A block shared by all layers of one type: the first definition, and an issue for each differing one. */
class SharedBlock<T extends object> {
  private first: { value: T; file: string } | null = null;
  private readonly field: string;
  private readonly issues: Issue[];
  /** Seed name of a differing intermediateSize (d_ff or moe_intermediate_size). */
  private readonly sizeField: string;
  constructor(field: string, issues: Issue[], sizeField = "") {
    this.field = field;
    this.issues = issues;
    this.sizeField = sizeField;
  }

  offer(value: T, file: string): void {
    if (this.first === null) {
      this.first = { value, file };
      return;
    }
    const a = JSON.stringify(this.first.value);
    const b = JSON.stringify(value);
    if (a === b) return;
    const before = this.first.value as Record<string, unknown>;
    const key = Object.keys(value).find(
      (k) => JSON.stringify(before[k]) !== JSON.stringify((value as Record<string, unknown>)[k]),
    );
    const seedField =
      key === "intermediateSize" || key === "expert" ? this.sizeField : SEED_FIELDS[key ?? ""];
    this.issues.push({
      code: "inconsistent-layers",
      path: seedField ? [this.field, seedField] : [this.field],
      message: `differs from ${this.first.file}'s ${this.field} (${a} vs ${b}); one model has one ${this.field} shape, use one template or equal fields`,
      file,
    });
  }

  get value(): T | null {
    return this.first?.value ?? null;
  }
}

export interface SeedModelOptions {
  readonly id: string;
  readonly vocabSize: number | undefined;
  readonly weightDtype: Dtype | undefined;
}

/**
 * A ModelSpec from the scenario's ffn/moe layers, one LayerKind each in order. Attention and each FFN
 * kind must be the same in every layer that has it (a ModelSpec holds one of each).
 */
export function seedModel(
  layers: readonly SeedLayerInput[],
  options: SeedModelOptions,
): Converted<ModelSpec> {
  const issues: Issue[] = [];
  const warnings: string[] = [];
  const attention = new SharedBlock<AttentionSpec>("attn_config", issues);
  const hidden = new SharedBlock<{ d_model: number }>("attn_config", issues);
  const dense = new SharedBlock<MlpSpec>("ffn_config", issues, "d_ff");
  const moe = new SharedBlock<MoeSpec>("moe_config", issues, "moe_intermediate_size");
  const kinds: LayerKind[] = [];
  for (const layer of layers) {
    if (layer.type === "comm_layer") continue;
    const { attn_config: attn, ffn_config: ffn, moe_config: routed } = layer.template;
    if (!attn) {
      issues.push(missingBlock(layer, "attn_config"));
      continue;
    }
    const spec = attentionOf(attn, layer.file, issues, warnings);
    if (spec) attention.offer(spec, layer.file);
    hidden.offer({ d_model: attn.d_model }, layer.file);
    const mismatch = (path: string[], value: number) =>
      issues.push({
        code: "invalid-value",
        path,
        message: `${value} differs from attn_config.d_model ${attn.d_model}`,
        file: layer.file,
      });
    if (layer.type === "ffn_layer") {
      if (!ffn) {
        issues.push(missingBlock(layer, "ffn_config"));
        continue;
      }
      if (ffn.d_model !== attn.d_model) mismatch(["ffn_config", "d_model"], ffn.d_model);
      dense.offer({ intermediateSize: ffn.d_ff, gated: ffn.gated ?? true, bias: false }, layer.file);
      kinds.push({ ffn: "dense", slidingWindow: null });
    } else {
      if (!routed) {
        issues.push(missingBlock(layer, "moe_config"));
        continue;
      }
      if (routed.d_model !== undefined && routed.d_model !== attn.d_model)
        mismatch(["moe_config", "d_model"], routed.d_model);
      const count = (key: "n_routed_experts" | "n_shared_experts", value: number | undefined) => {
        if (value !== undefined) return value;
        warnings.push(
          `${layer.file}: moe_config.${key} not given: ${DEEPSEEK_V3_DEFAULTS[key]} (${DEFAULT_SOURCE})`,
        );
        return DEEPSEEK_V3_DEFAULTS[key];
      };
      const numExperts = count("n_routed_experts", routed.n_routed_experts);
      const sharedExperts = count("n_shared_experts", routed.n_shared_experts);
      if (routed.num_experts_per_tok > numExperts) {
        issues.push({
          code: "invalid-value",
          path: ["moe_config", "num_experts_per_tok"],
          message: `top-k ${routed.num_experts_per_tok} exceeds the ${numExperts} routed experts`,
          file: layer.file,
        });
      }
      const expert: MlpSpec = {
        intermediateSize: routed.moe_intermediate_size,
        gated: routed.gated ?? true,
        bias: false,
      };
      moe.offer(
        {
          numExperts,
          topK: routed.num_experts_per_tok,
          expert,
          // DeepSeek folds its shared experts into one MLP of n_shared_experts x moe_intermediate_size.
          shared:
            sharedExperts > 0
              ? { ...expert, intermediateSize: sharedExperts * expert.intermediateSize }
              : null,
          routerBias: routed.topk_method === "noaux_tc",
          sharedExpertGate: false,
        },
        layer.file,
      );
      kinds.push({ ffn: "moe", slidingWindow: null });
    }
  }
  if (kinds.length === 0 && issues.length === 0) {
    issues.push({
      code: "invalid-value",
      path: ["layers"],
      message: "a scenario needs at least one ffn_layer or moe_layer (the model is built from them)",
    });
  }
  const attentionSpec = attention.value;
  const hiddenSize = hidden.value?.d_model ?? null;
  if (issues.length > 0 || attentionSpec === null || hiddenSize === null) return { ok: false, issues };
  let vocabSize = options.vocabSize;
  if (vocabSize === undefined) {
    vocabSize = DEEPSEEK_V3_DEFAULTS.vocab_size;
    warnings.push(`vocab_size not given: ${vocabSize} (${DEFAULT_SOURCE})`);
  }
  const weightDtype = options.weightDtype ?? "bf16";
  return {
    ok: true,
    value: {
      id: options.id,
      modelType: "llmsimulator-scenario",
      hiddenSize,
      numLayers: kinds.length,
      vocabSize,
      tieWordEmbeddings: false,
      maxPositionEmbeddings: null,
      // RMSNorm before attention and before the FFN, as DeepSeek-V3's decoder layer.
      norm: "rmsnorm",
      learnedPositions: 0,
      embeddingNorm: false,
      normsPerLayer: 2,
      attention: attentionSpec,
      dense: dense.value,
      moe: moe.value,
      layers: kinds,
      mtpLayers: 0,
      weightDtype,
      expertWeightDtype: weightDtype,
      // The seed's layers state one weight format; embeddings and norms stay bf16.
      unquantizedDtype: "bf16",
      weightBlockSize: null,
      warnings: [...new Set(warnings)],
    },
    warnings: [...new Set(warnings)],
  };
}
