import { describe, expect, it } from "vitest";
import { model } from "../../../test/helpers/fixtures.ts";
import { builtinModel, builtinModelIds } from "./catalog.ts";
import { modelFromHfConfig } from "./from-hf-config.ts";
import { countParams } from "./params.ts";

const llamaLike = {
  model_type: "llama",
  hidden_size: 4096,
  intermediate_size: 11008,
  num_hidden_layers: 2,
  num_attention_heads: 32,
  vocab_size: 32000,
  torch_dtype: "bfloat16",
};

describe("modelFromHfConfig(config, id)", () => {
  it("imports every built-in config", () => {
    for (const id of builtinModelIds()) expect(builtinModel(id).ok, id).toBe(true);
  });

  it("reads MHA when num_key_value_heads is absent, GQA and MQA otherwise", () => {
    const mha = modelFromHfConfig(llamaLike, "x");
    expect(mha.ok && mha.model.attention.kind === "gqa" && mha.model.attention.numKvHeads).toBe(32);
    expect(model("meta-llama/Llama-3.1-70B").attention).toMatchObject({
      kind: "gqa",
      numHeads: 64,
      numKvHeads: 8,
      headDim: 128,
    });
    expect(model("tiiuae/falcon-7b").attention).toMatchObject({
      kind: "gqa",
      numHeads: 71,
      numKvHeads: 1,
      headDim: 64,
    });
  });

  it("reads DeepSeek MLA, dense-then-MoE layers, shared experts, MTP and FP8 weights", () => {
    const v3 = model("deepseek-ai/DeepSeek-V3");
    expect(v3.attention).toMatchObject({
      kind: "mla",
      numHeads: 128,
      qLoraRank: 1536,
      kvLoraRank: 512,
      qkRopeHeadDim: 64,
    });
    expect(v3.layers.filter((l) => l.ffn === "dense")).toHaveLength(3);
    expect(v3.layers.slice(3).every((l) => l.ffn === "moe")).toBe(true);
    expect(v3.moe).toMatchObject({
      numExperts: 256,
      topK: 8,
      shared: { intermediateSize: 2048 },
      routerBias: true,
    });
    expect(v3.mtpLayers).toBe(1);
    expect(v3.weightDtype).toBe("fp8");
    // quantization_config.weight_block_size: one scale per 128 x 128 weights.
    expect(v3.weightBlockSize).toEqual([128, 128]);
    const lite = model("deepseek-ai/DeepSeek-V2-Lite");
    expect(lite.attention.kind === "mla" && lite.attention.qLoraRank).toBe(null);
    expect(lite.moe?.shared?.intermediateSize).toBe(2 * 1408);
    expect(model("moonshotai/Kimi-K2-Instruct").moe).toMatchObject({ numExperts: 384, topK: 8 });
  });

  it("reads gpt-oss alternating sliding/full layers, sinks, biases and MXFP4 experts", () => {
    const oss = model("openai/gpt-oss-120b");
    expect(oss.layers[0]?.slidingWindow).toBe(128);
    expect(oss.layers[1]?.slidingWindow).toBe(null);
    expect(oss.attention).toMatchObject({ qkvBias: true, sinks: true });
    expect(oss.expertWeightDtype).toBe("fp4");
    expect(oss.weightDtype).toBe("bf16");
  });

  it("reads Mistral's all-layer sliding window, Qwen2-MoE shared experts, OPT learned positions and tied embeddings", () => {
    expect(model("mistralai/Mistral-7B-v0.1").layers.every((l) => l.slidingWindow === 4096)).toBe(true);
    expect(model("Qwen/Qwen3-32B").layers.every((l) => l.slidingWindow === null)).toBe(true);
    expect(model("Qwen/Qwen2-57B-A14B").moe?.shared?.intermediateSize).toBe(20480);
    const opt = model("facebook/opt-30b");
    expect(opt).toMatchObject({ learnedPositions: 2050, tieWordEmbeddings: true, norm: "layernorm" });
    expect(opt.dense).toMatchObject({ intermediateSize: 28672, gated: false, bias: true });
    expect(model("Qwen/Qwen-72B").dense?.intermediateSize).toBe(24576);
  });

  it("counts Gemma 2's four norms per layer, Falcon's one, and Qwen2-MoE's shared-expert gate", () => {
    expect(model("google/gemma-2-9b-it").normsPerLayer).toBe(4);
    expect(model("tiiuae/falcon-7b").normsPerLayer).toBe(1);
    expect(model("meta-llama/Llama-3.1-8B").normsPerLayer).toBe(2);
    expect(model("Qwen/Qwen2-57B-A14B").moe?.sharedExpertGate).toBe(true);
    expect(model("deepseek-ai/DeepSeek-V3").moe?.sharedExpertGate).toBe(false);
  });

  it("unwraps text_config of multimodal wrappers", () => {
    const result = modelFromHfConfig({ model_type: "llava", text_config: llamaLike }, "wrapped");
    expect(result.ok && result.model.hiddenSize).toBe(4096);
  });

  it("names every missing field", () => {
    const result = modelFromHfConfig({ model_type: "llama", hidden_size: 4096 }, "bad");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const paths = result.issues.map((issue) => issue.path.join("."));
      expect(paths).toEqual(
        expect.arrayContaining(["num_hidden_layers", "vocab_size", "num_attention_heads"]),
      );
      expect(result.issues.every((issue) => issue.code === "missing-field")).toBe(true);
    }
  });

  it("rejects malformed values with the field and what is allowed", () => {
    const result = modelFromHfConfig({ ...llamaLike, num_hidden_layers: -3 }, "bad");
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues[0]).toMatchObject({
        path: ["num_hidden_layers"],
        message: expect.stringContaining(">= 1"),
      });
    // A layer count no model has is an error, not an array of a hundred million layers.
    const huge = modelFromHfConfig({ ...llamaLike, num_hidden_layers: 100_000_000 }, "huge");
    expect(!huge.ok && huge.issues[0]).toMatchObject({
      path: ["num_hidden_layers"],
      message: "100000000 layers is not a model's layer count (at most 10,000)",
    });
    expect(modelFromHfConfig({ ...llamaLike, num_hidden_layers: 10_000 }, "deep").ok).toBe(true);
    const kv = modelFromHfConfig({ ...llamaLike, num_key_value_heads: 5 }, "bad");
    expect(!kv.ok && kv.issues[0]?.message).toContain("must divide");
    expect(modelFromHfConfig([1, 2], "array").ok).toBe(false);
    expect(modelFromHfConfig({ ...llamaLike, num_local_experts: 8, num_experts_per_tok: 9 }, "k").ok).toBe(
      false,
    );
  });

  it("reads an FP8 checkpoint's weight_block_size; per-tensor FP8 and other formats have none", () => {
    const fp8 = (quant: Record<string, unknown>) => {
      const result = modelFromHfConfig(
        { ...llamaLike, quantization_config: { quant_method: "fp8", ...quant } },
        "q",
      );
      if (!result.ok) throw new Error("expected a model");
      return result.model;
    };
    expect(fp8({ weight_block_size: [128, 64] }).weightBlockSize).toEqual([128, 64]);
    expect(fp8({}).weightBlockSize).toBe(null);
    const odd = fp8({ weight_block_size: [128] });
    expect(odd.weightBlockSize).toBe(null);
    expect(odd.warnings.join(" ")).toMatch(
      /weight_block_size \[128\] is not \[rows, columns\]: FP8 scales assumed per tensor/,
    );
    expect(model("meta-llama/Llama-3.1-70B").weightBlockSize).toBe(null);
  });

  it("warns instead of failing on an unknown model_type with complete fields", () => {
    const result = modelFromHfConfig({ ...llamaLike, model_type: "brand_new" }, "new");
    expect(result.ok && result.model.warnings[0]).toContain("brand_new");
  });

  it("reads a model_type or torch_dtype named after an Object.prototype member as unknown, with a warning", () => {
    const reference = modelFromHfConfig(llamaLike, "llama");
    for (const name of ["constructor", "toString", "__proto__"]) {
      const family = modelFromHfConfig({ ...llamaLike, model_type: name }, "x");
      expect(family.ok && family.model.warnings, name).toEqual([
        expect.stringContaining(`model_type "${name}"`),
      ]);
      expect(family.ok && countParams(family.model)).toEqual(reference.ok && countParams(reference.model));
      const dtype = modelFromHfConfig({ ...llamaLike, torch_dtype: name }, "x");
      expect(dtype.ok && dtype.model.weightDtype).toBe("bf16");
      expect(dtype.ok && dtype.model.warnings).toEqual([
        `torch_dtype "${name}" is not one of bfloat16, float16, half, float32: weights assumed bf16`,
      ]);
    }
  });
});

describe("builtinModel(id)", () => {
  it("accepts the bare name in any case and suggests close ids for unknown ones", () => {
    expect(builtinModel("deepseek-v3").ok).toBe(true);
    const unknown = builtinModel("deepseek-ai/DeepSeek-V4");
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.issues[0]?.allowed).toContain("deepseek-ai/DeepSeek-V3");
  });
});
