import { describe, expect, it } from "vitest";
import { causalPairs, gqaDecodeAttention, gqaPrefillAttention, prefixRead } from "./attention.ts";
import { gemm, groupedGemm } from "./gemm.ts";
import { mlaAbsorbedAttention, mlaKvUpProjection, mlaPrefillAttention } from "./mla.ts";
import { expectedTouchedExperts } from "./moe.ts";

describe("gemm(args)", () => {
  it("counts 2mnk FLOPs, weights once, activations in and out", () => {
    const op = gemm({
      name: "g",
      m: 2,
      n: 3,
      k: 4,
      weightDtype: "bf16",
      activationDtype: "bf16",
      computeDtype: "bf16",
      formula: "",
    });
    expect(op).toMatchObject({ flops: 48, weightBytes: 24, bytesRead: 24 + 16, bytesWritten: 12 });
  });

  it("batches per-head GEMMs and reads FP8 weights at one byte", () => {
    const op = gemm({
      name: "g",
      m: 2,
      n: 3,
      k: 4,
      batch: 5,
      weightDtype: "fp8",
      activationDtype: "bf16",
      computeDtype: "fp8",
      formula: "",
    });
    expect(op).toMatchObject({ flops: 240, weightBytes: 60, bytesRead: 60 + 80, bytesWritten: 60 });
  });

  it("groupedGemm reads only the touched experts' weights", () => {
    const op = groupedGemm({
      name: "e",
      m: 10,
      n: 3,
      k: 4,
      matricesRead: 2.5,
      weightDtype: "fp4",
      activationDtype: "bf16",
      computeDtype: "bf16",
      formula: "",
    });
    expect(op).toMatchObject({ flops: 240, weightBytes: 15, bytesRead: 15 + 80, bytesWritten: 60 });
  });
});

describe("causalPairs(newTokens, cachedTokens, window)", () => {
  it("is the triangle plus the prefix rectangle", () => {
    expect(causalPairs(4, 0, null)).toBe(10);
    expect(causalPairs(3, 2, null)).toBe(3 + 4 + 5);
  });
  it("caps each query at the window", () => {
    expect(causalPairs(4, 0, 2)).toBe(1 + 2 + 2 + 2);
    expect(causalPairs(3, 5, 4)).toBe(12);
    expect(causalPairs(3, 0, 100)).toBe(6);
  });
  it("prefixRead keeps window - 1 cached entries", () => {
    expect(prefixRead(10, null)).toBe(10);
    expect(prefixRead(10, 4)).toBe(3);
  });
});

const gqa = {
  sequences: 2,
  heads: 4,
  kvHeads: 2,
  headDim: 8,
  window: null,
  kvDtype: "bf16",
  activationDtype: "bf16",
  computeDtype: "bf16",
} as const;

describe("GQA attention", () => {
  it("decode: 4·h·d·C FLOPs per sequence; reads C KV entries of 2·h_kv·d elements, writes one", () => {
    const op = gqaDecodeAttention(gqa, 10);
    expect(op.flops).toBe(4 * 4 * 8 * 2 * 10);
    expect(op.kvCacheBytes).toBe(2 * 11 * 64);
    expect(op.bytesRead).toBe(2 * 10 * 64 + 2 * 4 * 8 * 2);
    expect(op.bytesWritten).toBe(2 * 64 + 2 * 4 * 8 * 2);
  });
  it("decode with a sliding window reads at most the window", () => {
    expect(gqaDecodeAttention({ ...gqa, window: 4 }, 10).flops).toBe(4 * 4 * 8 * 2 * 4);
  });
  it("prefill: 4·h·d per causal pair; reads cached prefix plus new K/V", () => {
    const op = gqaPrefillAttention(gqa, 3, 2);
    expect(op.flops).toBe(4 * 4 * 8 * 2 * 12);
    expect(op.kvCacheBytes).toBe(2 * (5 + 3) * 64);
  });
});

const mla = {
  sequences: 1,
  heads: 2,
  kvLoraRank: 4,
  qkNopeHeadDim: 3,
  qkRopeHeadDim: 2,
  vHeadDim: 5,
  kvDtype: "fp8",
  activationDtype: "bf16",
  computeDtype: "bf16",
} as const;

describe("MLA", () => {
  it("absorbed decode: 2·h·C·(2·Dc + dr) FLOPs; reads C latent entries of (Dc + dr) bytes", () => {
    const op = mlaAbsorbedAttention(mla, 1, 3, 3, "attention_decode");
    expect(op.flops).toBe(2 * 2 * 3 * (8 + 2));
    expect(op.kvCacheBytes).toBe(3 * 6 + 6);
  });
  it("naive prefill: 2·h·pairs·(d_nope + dr + d_v) FLOPs", () => {
    expect(mlaPrefillAttention(mla, 2, 1, "attention_prefill").flops).toBe(2 * 2 * (2 + 3) * (3 + 2 + 5));
  });
  it("K/V up-projection covers cached and new tokens", () => {
    const op = mlaKvUpProjection(mla, 2, 1, "bf16", "bf16", "kv_up_proj");
    expect(op.shape).toEqual({ m: 3, n: 2 * 8, k: 4 });
    expect(op.kvCacheBytes).toBe(6);
  });
});

describe("expectedTouchedExperts(slots, experts, topK, tokens)", () => {
  it("one token touches top-k experts; many tokens touch all", () => {
    expect(expectedTouchedExperts(8, 8, 2, 1)).toBeCloseTo(2, 12);
    expect(expectedTouchedExperts(8, 8, 2, 4)).toBeCloseTo(8 * (1 - 0.75 ** 4), 12);
    expect(expectedTouchedExperts(32, 256, 8, 100_000)).toBeCloseTo(32, 9);
    expect(expectedTouchedExperts(32, 256, 8, 0)).toBe(0);
  });
});
