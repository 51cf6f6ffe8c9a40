import { describe, expect, it } from "vitest";
import { model } from "../../../test/helpers/fixtures.ts";
import { countParams } from "./params.ts";

describe("countParams(model) against hand-derived counts", () => {
  it("Llama-2-7B: 32·(4H² + 3·H·I + 2H) + 2·V·H + H", () => {
    // H 4096, I 11008, V 32000, untied: 32·(67,108,864 + 135,266,304 + 8,192) + 262,144,000 + 4,096
    expect(countParams(model("meta-llama/Llama-2-7b-hf")).totalParams).toBe(6_738_415_616);
  });

  it("Llama-3.1-70B (GQA 64/8): 80·(H·(64+16)·128 + 64·128·H + 3·H·I + 2H) + 2·V·H + H", () => {
    expect(countParams(model("meta-llama/Llama-3.1-70B")).totalParams).toBe(70_553_706_496);
  });

  it("Mixtral-8x7B: 8 experts total, 2 active", () => {
    // per layer: attention 41,943,040 + norms 8,192 + router 32,768 + experts·3·4096·14336
    const counts = countParams(model("mistralai/Mixtral-8x7B-v0.1"));
    expect(counts.totalParams).toBe(46_702_792_704);
    expect(counts.activeParams).toBe(12_879_925_248);
  });

  it("DeepSeek-V3: MLA 187,107,328 per layer; 3 dense + 58 MoE layers of 256 routed + 1 shared experts", () => {
    // MLA: H·Dq + Dq + Dq·128·192 + H·576 + 512 + 512·128·256 + 128·128·H
    // MoE layer: MLA + 2H + router H·256 + 256 (score-correction bias) + 257·3·H·2048; active: 9 experts
    const counts = countParams(model("deepseek-ai/DeepSeek-V3"));
    expect(counts.totalParams).toBe(671_026_419_200);
    expect(counts.activeParams).toBe(37_552_297_472);
    expect(counts.activeParamsWithoutEmbedding).toBe(37_552_297_472 - 129_280 * 7168);
  });

  it("BLOOM-176B: tied embeddings, biases, embedding LayerNorm: exactly the model card's 176,247,271,424", () => {
    expect(countParams(model("bigscience/bloom")).totalParams).toBe(176_247_271_424);
  });
});

/**
 * Published figures (model cards, papers): derived counts must be within 1% (`tolerance`), using
 * the convention the publisher uses. Sources: research notes in src/data/models/SOURCES.md.
 */
const PUBLISHED: { id: string; total?: number; active?: number; activeConvention?: "with" | "without" }[] = [
  { id: "deepseek-ai/DeepSeek-V3", total: 671e9 }, // model card "671B total"
  { id: "deepseek-ai/DeepSeek-R1", total: 671e9 }, // README table
  { id: "deepseek-ai/DeepSeek-V2-Lite", total: 15.7e9 }, // arXiv:2405.04434 App. B "15.7B total"
  { id: "meta-llama/Llama-3.1-70B", total: 70.6e9 }, // HF page "70.6B params" (as the issue states)
  { id: "meta-llama/Llama-3.1-8B", total: 8e9 }, // model card "8B"
  { id: "meta-llama/Llama-3.1-405B", total: 405e9 }, // model card "405B"
  { id: "codellama/CodeLlama-34b-Instruct-hf", total: 34e9 }, // model card "34B"
  { id: "mistralai/Mixtral-8x7B-v0.1", total: 46.7e9, active: 12.9e9, activeConvention: "with" }, // Mistral blog
  { id: "Qwen/Qwen3-0.6B", total: 0.6e9 }, // card "Number of Parameters: 0.6B"
  { id: "Qwen/Qwen3-32B", total: 32.8e9 }, // card "32.8B"
  { id: "Qwen/Qwen3-30B-A3B", total: 30.5e9 }, // card "30.5B in total"
  { id: "Qwen/Qwen3-235B-A22B", total: 235e9, active: 22e9, activeConvention: "with" }, // card "235B in total and 22B activated"
  { id: "Qwen/Qwen2-57B-A14B", total: 57e9 }, // name and card "57B"
  { id: "openai/gpt-oss-120b", total: 116.83e9, active: 5.13e9, activeConvention: "without" }, // arXiv:2508.10925 Table 1
  { id: "bigscience/bloom", total: 176_247_271_424 }, // card, exact
];

describe("derived counts match published figures within 1%", () => {
  for (const entry of PUBLISHED) {
    it(`${entry.id}`, () => {
      const counts = countParams(model(entry.id));
      const tolerance = 0.01;
      if (entry.total !== undefined)
        expect(Math.abs(counts.totalParams / entry.total - 1)).toBeLessThan(tolerance);
      if (entry.active !== undefined) {
        const active =
          entry.activeConvention === "without" ? counts.activeParamsWithoutEmbedding : counts.activeParams;
        expect(Math.abs(active / entry.active - 1)).toBeLessThan(tolerance);
      }
    });
  }

  it("DeepSeek-V3's '37B activated' brackets the derived count: 36.63 B without the embedding, 37.55 B with it", () => {
    // The card's figure is rounded and its convention unstated (DeepSeek-V3 issue #231); neither
    // convention lands within 1% of 37.0 B exactly, so this pins both ends instead.
    const counts = countParams(model("deepseek-ai/DeepSeek-V3"));
    expect(counts.activeParamsWithoutEmbedding).toBeLessThan(37e9);
    expect(counts.activeParams).toBeGreaterThan(37e9);
    expect(Math.abs(counts.activeParams / 37e9 - 1)).toBeLessThan(0.015);
  });

  it("DeepSeek-V3's MTP module plus its copies of embedding and head make the 685 B checkpoint", () => {
    const counts = countParams(model("deepseek-ai/DeepSeek-V3"));
    const duplicatedEmbeddingAndHead = 2 * 129_280 * 7168;
    expect(
      Math.abs((counts.totalParams + counts.mtpParams + duplicatedEmbeddingAndHead) / 685e9 - 1),
    ).toBeLessThan(0.01);
  });
});
