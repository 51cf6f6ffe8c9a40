import { describe, expect, it } from "vitest";
import type { SeedHardware } from "./schema/seed-hardware.ts";
import type { SeedLayer } from "./schema/seed-layer.ts";
import {
  type SeedLayerInput,
  seedCommLayer,
  seedHardwareRecord,
  seedModel,
  seedOverlap,
} from "./seed-scenario.ts";

// The seed's sample hardware file (LLMSimulator configs/hardware/NV-A100.yaml).
const a100: SeedHardware = {
  name: "A100-80GB",
  peak_tflops: 312,
  memory_bandwidth_gbps: 2030,
  hbm_gb: 80,
  interconnect_gbps: 600,
  max_concurrency: 2,
  overlap_efficiency: 1.0,
};

// The seed's sample ffn template, as written (no MLA ranks).
const seedAttn = {
  type: "MLA",
  d_model: 7168,
  num_attention_heads: 128,
  head_dim: 56,
  num_key_value_heads: 128,
  v_head_dim: 128,
} as const;
const ffnTemplate: SeedLayer = {
  attn_config: seedAttn,
  ffn_config: { d_model: 7168, d_ff: 18432, hidden_act: "silu" },
};
const moeTemplate: SeedLayer = {
  attn_config: seedAttn,
  moe_config: { moe_intermediate_size: 2048, num_experts_per_tok: 8, topk_group: 4 },
};
const layer = (type: SeedLayerInput["type"], template: SeedLayer, file = `${type}.yaml`): SeedLayerInput => ({
  type,
  name: type,
  file,
  template,
});
const options = { id: "test", vocabSize: undefined, weightDtype: undefined };

describe("seedHardwareRecord", () => {
  it("maps the seed's A100 onto engine fields, halving the bidirectional NVLink figure", () => {
    const { record, warnings } = seedHardwareRecord(a100);
    expect(record.denseTflops).toEqual({ bf16: 312 });
    expect(record.hbmBandwidthGBps).toBe(2030);
    expect(record.hbmGB).toBe(80);
    // 600 GB/s counts both directions (12 NVLink3 links x 25 GB/s each way): 300 per direction.
    expect(record.scaleUp?.bandwidthGBps).toBe(300);
    // A100-80GB is a catalog alias of A100-SXM4-80GB: 8 GPUs per HGX baseboard.
    expect(record.scaleUp?.domainGpus).toBe(8);
    expect(warnings).toEqual([]);
  });

  it("takes one GPU per domain, with a warning, for an accelerator the catalog does not know", () => {
    const { record, warnings } = seedHardwareRecord({ ...a100, name: "Mystery-1" });
    expect(record.scaleUp?.domainGpus).toBe(1);
    expect(warnings[0]).toMatch(/scale_up_domain_gpus not given/);
    expect(
      seedHardwareRecord({ ...a100, name: "Mystery-1", scale_up_domain_gpus: 4 }).record.scaleUp?.domainGpus,
    ).toBe(4);
  });
});

describe("seedOverlap", () => {
  it("overlaps only with two or more streams and a positive efficiency", () => {
    expect(seedOverlap(a100)).toEqual({ overlap: "full", overlapEfficiency: 1 });
    expect(seedOverlap({ ...a100, overlap_efficiency: 0.4 })).toEqual({
      overlap: "full",
      overlapEfficiency: 0.4,
    });
    expect(seedOverlap({ ...a100, max_concurrency: 1 })).toEqual({ overlap: "none", overlapEfficiency: 0 });
    expect(seedOverlap({ ...a100, overlap_efficiency: 0 })).toEqual({
      overlap: "none",
      overlapEfficiency: 0,
    });
  });
});

describe("seedModel", () => {
  it("builds DeepSeek-V3's layer order with the config.json figures the sample templates omit", () => {
    const layers = [
      ...Array.from({ length: 3 }, () => layer("ffn_layer", ffnTemplate)),
      ...Array.from({ length: 58 }, () => layer("moe_layer", moeTemplate)),
    ];
    const result = seedModel(layers, options);
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const model = result.value;
    expect(model.numLayers).toBe(61);
    expect(model.layers.filter((kind) => kind.ffn === "dense")).toHaveLength(3);
    expect(model.layers[3]).toEqual({ ffn: "moe", slidingWindow: null });
    expect(model.attention).toEqual({
      kind: "mla",
      numHeads: 128,
      qLoraRank: 1536,
      kvLoraRank: 512,
      qkNopeHeadDim: 128,
      qkRopeHeadDim: 64,
      vHeadDim: 128,
    });
    expect(model.dense).toEqual({ intermediateSize: 18432, gated: true, bias: false });
    expect(model.moe?.numExperts).toBe(256);
    expect(model.moe?.topK).toBe(8);
    expect(model.moe?.shared).toEqual({ intermediateSize: 2048, gated: true, bias: false });
    expect(model.vocabSize).toBe(129280);
    for (const field of [
      "q_lora_rank",
      "kv_lora_rank",
      "qk_nope_head_dim",
      "qk_rope_head_dim",
      "n_routed_experts",
      "vocab_size",
    ])
      expect(result.warnings.some((w) => w.includes(field))).toBe(true);
    expect(result.warnings.some((w) => w.includes("head_dim 56 is not used by MLA"))).toBe(true);
  });

  it("refuses layers whose attention one ModelSpec cannot hold, naming the file and field", () => {
    const other: SeedLayer = { ...moeTemplate, attn_config: { ...seedAttn, num_attention_heads: 64 } };
    const result = seedModel(
      [layer("ffn_layer", ffnTemplate, "a.yaml"), layer("moe_layer", other, "b.yaml")],
      options,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({
      file: "b.yaml",
      path: ["attn_config", "num_attention_heads"],
      code: "inconsistent-layers",
    });
    expect(result.issues[0]?.message).toMatch(/differs from a\.yaml's attn_config/);
  });

  it("says which block a layer type needs", () => {
    const result = seedModel([layer("moe_layer", ffnTemplate, "m.yaml")], options);
    expect(result.ok ? [] : result.issues).toEqual([
      expect.objectContaining({ file: "m.yaml", path: ["moe_config"], code: "missing-field" }),
    ]);
  });

  it("reads GQA fields and checks them", () => {
    const gqa: SeedLayer = {
      attn_config: { type: "GQA", d_model: 4096, num_attention_heads: 32, num_key_value_heads: 8 },
      ffn_config: { d_model: 4096, d_ff: 14336, hidden_act: "silu" },
    };
    const result = seedModel([layer("ffn_layer", gqa)], options);
    expect(result.ok && result.value.attention).toMatchObject({
      kind: "gqa",
      numHeads: 32,
      numKvHeads: 8,
      headDim: 128,
    });
    const missing = seedModel(
      [layer("ffn_layer", { ...gqa, attn_config: { type: "GQA", d_model: 4096, num_attention_heads: 32 } })],
      options,
    );
    expect(missing.ok ? [] : missing.issues.map((i) => i.path.join("."))).toEqual([
      "attn_config.num_key_value_heads",
    ]);
    const mismatch = seedModel(
      [layer("ffn_layer", { ...gqa, ffn_config: { d_model: 1024, d_ff: 1, hidden_act: "silu" } })],
      options,
    );
    expect(mismatch.ok ? [] : mismatch.issues.map((i) => i.path.join("."))).toEqual(["ffn_config.d_model"]);
  });

  it("needs at least one compute layer", () => {
    const result = seedModel(
      [layer("comm_layer", { comm_config: { payload_mb: 1, pattern: "all-reduce" } })],
      options,
    );
    expect(result.ok ? [] : result.issues.map((i) => i.path.join("."))).toEqual(["layers"]);
  });
});

describe("seedCommLayer", () => {
  it("reads MB as 10^6 bytes, normalizes underscores and defaults the group to the domain", () => {
    const comm = seedCommLayer(
      layer("comm_layer", { comm_config: { payload_mb: 2.5, pattern: "all_to_all" } }),
      8,
    );
    expect(comm.ok && comm.value).toEqual({
      collective: "all-to-all",
      payloadBytes: 2_500_000,
      groupSize: 8,
    });
  });
});
