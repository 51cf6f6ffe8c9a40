import { describe, expect, it } from "vitest";
import { hardware, model, ROUND_GPU } from "../../../test/helpers/fixtures.ts";
import { InputError } from "../issues.ts";
import { resolvePlan } from "../parallel/plan.ts";
import { DEFAULT_ROOFLINE_PARAMS, rooflinePredictor } from "../predictor/roofline.ts";
import { buildContext } from "./context.ts";
import { resolveDtypes, type StepDtypes } from "./dtypes.ts";
import { decoderLayerOps } from "./layer-ops.ts";
import type { LayerExecution, OpRecord, StepResult } from "./result.ts";
import { simulateStep } from "./simulate.ts";
import type { StepWorkload } from "./workload.ts";

const decode = (sequences: number, contextTokens: number) => ({
  prefill: null,
  decode: { sequences, contextTokens },
});
const opOf = (layer: LayerExecution | undefined, name: string): OpRecord => {
  const op = layer?.ops.find((o) => o.name === name);
  if (!op) throw new Error(`no op ${name} in ${layer?.name}`);
  return op;
};
const layer = (result: StepResult, index: number) => result.layers.find((l) => l.layer === index);

describe("Llama-2-7B decode, TP1 (MHA, hand-derived)", () => {
  const result = simulateStep({
    model: model("meta-llama/Llama-2-7b-hf"),
    hardware: ROUND_GPU,
    workload: decode(8, 1024),
  });
  const l0 = layer(result, 0);

  it("layer FLOPs = 2·B·(4H² + 3HI) + attention 4·h·d·B·C + norms", () => {
    // 2·8·(4·4096² + 3·4096·11008) = 3,238,002,688; attention 4·32·128·8·1024 = 134,217,728; norms 2·4·8·4096
    expect(l0?.flops).toBe(3_238_002_688 + 134_217_728 + 262_144);
    expect(opOf(l0, "qkv_proj").flops).toBe(2 * 8 * 4096 * 3 * 4096);
    expect(opOf(l0, "mlp_up").shape).toEqual({ m: 8, n: 2 * 11008, k: 4096 });
  });

  it("reads every weight once and the KV cache B·C·2·H·2 bytes per layer", () => {
    expect(opOf(l0, "qkv_proj").weightBytes).toBe(4096 * 3 * 4096 * 2);
    const attention = opOf(l0, "attention_decode");
    expect(attention.kvCacheBytes).toBe(8 * 1025 * 2 * 4096 * 2);
    expect(result.memory.weightsBytes).toBe(6_738_415_616 * 2);
    expect(result.memory.kvCacheBytes).toBe(32 * 8 * 1024 * 2 * 4096 * 2);
  });

  it("times each op by its roofline: weight GEMMs memory-bound at batch 8", () => {
    const qkv = opOf(l0, "qkv_proj");
    expect(qkv.bound).toBe("memory");
    expect(qkv.memoryMs).toBeCloseTo(
      ((qkv.bytesRead + qkv.bytesWritten) / (2e12 * DEFAULT_ROOFLINE_PARAMS.hbmEfficiency)) * 1e3,
      12,
    );
    expect(qkv.computeMs).toBeCloseTo(
      (qkv.flops / (1e15 * DEFAULT_ROOFLINE_PARAMS.gemmComputeEfficiency)) * 1e3,
      12,
    );
    expect(result.totals?.latencyMs).toBeCloseTo(
      result.layers.reduce((sum, l) => sum + l.dominantMs, 0),
      9,
    );
    expect(result.totals?.tokensPerSecPerGpu).toBeCloseTo(8 / ((result.totals?.latencyMs ?? 1) / 1e3), 6);
  });
});

describe("Llama-3.1-70B decode, TP8 (GQA, hand-derived per GPU)", () => {
  const result = simulateStep({
    model: model("meta-llama/Llama-3.1-70B"),
    hardware: hardware("H100-SXM"),
    parallel: { tp: 8 },
    workload: decode(16, 2048),
  });
  const l0 = layer(result, 0);

  it("each GPU holds 8 query heads and 1 KV head", () => {
    expect(opOf(l0, "qkv_proj").shape).toEqual({ m: 16, n: (8 + 2) * 128, k: 8192 });
    expect(opOf(l0, "attention_decode").flops).toBe(4 * 8 * 128 * 16 * 2048);
    expect(opOf(l0, "attention_decode").bytesRead).toBe(16 * 2048 * 2 * 128 * 2 + 16 * 8 * 128 * 2);
  });

  it("all-reduces B·H·2 bytes twice per layer over the 8-GPU NVLink group", () => {
    const reduces = l0?.ops.filter((op) => op.collective === "all-reduce") ?? [];
    expect(reduces.map((op) => op.commBytes)).toEqual([16 * 8192 * 2, 16 * 8192 * 2]);
    expect(reduces.every((op) => op.groupSize === 8)).toBe(true);
  });

  it("shards weights 8 ways (embedding and head vocab-parallel)", () => {
    const perGpu = result.memory.weightsBytes;
    expect(perGpu).toBeGreaterThan((70_553_706_496 * 2) / 8);
    expect(perGpu).toBeLessThan(((70_553_706_496 * 2) / 8) * 1.01);
  });
});

describe("Mixtral-8x7B decode, TP2 (MoE, experts sharded over TP)", () => {
  const result = simulateStep({
    model: model("mistralai/Mixtral-8x7B-v0.1"),
    hardware: ROUND_GPU,
    parallel: { tp: 2 },
    workload: decode(4, 512),
  });
  const l0 = layer(result, 0);

  it("routes B·k rows through experts split two ways; reads only touched experts", () => {
    const up = opOf(l0, "experts_up");
    expect(up.shape).toEqual({ m: 8, n: 14336, k: 4096 });
    expect(up.flops).toBe(2 * 8 * 4096 * 14336);
    const touched = 8 * (1 - 0.75 ** 4);
    expect(up.weightBytes).toBeCloseTo(touched * 4096 * 14336 * 2, 3);
    expect(opOf(l0, "router").flops).toBe(2 * 4 * 4096 * 8);
  });

  it("keeps all 8 experts' halves in memory", () => {
    expect(result.memory.weightsBytes).toBeGreaterThan((8 * 3 * 4096 * 14336 * 2 * 32) / 2);
  });
});

describe("DeepSeek-V3 decode, attention-DP 8 x EP 8 on H800 (MLA + MoE, hand-derived)", () => {
  const result = simulateStep({
    model: model("deepseek-ai/DeepSeek-V3"),
    hardware: hardware("H800"),
    parallel: { tp: 1, dp: 8, ep: 8 },
    workload: decode(32, 4096),
    ignoreMemory: true,
  });
  const moe = layer(result, 3);

  it("absorbed MLA: latent attention 2·B·h·C·(2·Dc + dr), KV read B·C·(Dc + dr)·2", () => {
    const attention = opOf(moe, "attention_decode");
    expect(attention.flops).toBe(2 * 32 * 128 * 4096 * (2 * 512 + 64));
    expect(attention.kvCacheBytes).toBe(32 * 4096 * 576 * 2 + 32 * 576 * 2);
    expect(opOf(moe, "q_absorb_decode").flops).toBe(2 * 32 * 128 * 128 * 512);
    expect(opOf(moe, "qkv_a_proj").shape).toEqual({ m: 32, n: 1536 + 512 + 64, k: 7168 });
  });

  it("each EP rank holds 32 experts and computes T·dp·k/ep rows in FP8", () => {
    expect(result.parallel.expertSlotsPerRank).toBe(32);
    const up = opOf(moe, "experts_up");
    expect(up.shape).toEqual({ m: 256, n: 2 * 2048, k: 7168 });
    expect(up.computeDtype).toBe("fp8");
    expect(up.weightBytes).toBeCloseTo(32 * (1 - (1 - 8 / 256) ** 256) * 7168 * 4096, 0);
  });

  it("dispatches T·k·H bytes in FP8 and combines them in BF16 over the 8-GPU NVLink domain", () => {
    expect(opOf(moe, "moe_dispatch").commBytes).toBe(32 * 8 * 7168);
    expect(opOf(moe, "moe_combine").commBytes).toBe(32 * 8 * 7168 * 2);
    expect(opOf(moe, "moe_dispatch").groupSize).toBe(8);
  });

  it("three dense layers, 58 MoE layers, embedding and head", () => {
    expect(result.layers.filter((l) => l.kind === "dense")).toHaveLength(3);
    expect(result.layers.filter((l) => l.kind === "moe")).toHaveLength(58);
    expect(result.layers[0]?.kind).toBe("embedding");
    expect(result.layers.at(-1)?.kind).toBe("head");
  });
});

describe("overlap policies", () => {
  const base = {
    model: model("deepseek-ai/DeepSeek-V3"),
    hardware: hardware("H800"),
    parallel: { tp: 1, dp: 16, ep: 16 },
    workload: decode(64, 2048),
    ignoreMemory: true,
  } as const;
  const none = simulateStep({ ...base, overlap: "none" });
  const full = simulateStep({ ...base, overlap: "full" });
  const tbo = simulateStep({ ...base, overlap: "two-micro-batch" });

  it("full overlap takes the max of compute and communication; none their sum", () => {
    const l = layer(none, 10);
    const computeOps = (l?.ops ?? []).filter((op) => op.collective === null).reduce((s, op) => s + op.ms, 0);
    expect(l?.dominantMs).toBeCloseTo(computeOps + (l?.commMs ?? 0), 9);
    expect(layer(full, 10)?.dominantMs).toBeCloseTo(Math.max(computeOps, l?.commMs ?? 0), 9);
  });

  it("two-micro-batch overlap runs each micro-batch at half the sequences and pays weight reads twice", () => {
    const l = layer(tbo, 10);
    expect(l?.microBatches).toBe(2);
    expect(opOf(l, "attention_decode").flops).toBe(opOf(layer(none, 10), "attention_decode").flops / 2);
    expect(l?.bytesRead).toBeGreaterThan(layer(none, 10)?.bytesRead ?? 0);
  });

  /**
   * A MoE layer's two-micro-batch time rolled by hand from its own op times: c0 = the ops before
   * the dispatch and after the combine (attention side), c1 = the ops between (experts), each
   * phase max(comm, compute + share·comm).
   */
  const handRolledTboMs = (l: LayerExecution | undefined, smShare: number) => {
    const ops = l?.ops ?? [];
    const dispatchAt = ops.findIndex((op) => op.name === "moe_dispatch");
    const combineAt = ops.findIndex((op) => op.name === "moe_combine");
    const sum = (from: number, to: number) => ops.slice(from, to).reduce((s, op) => s + op.ms, 0);
    const c0 = sum(0, dispatchAt) + sum(combineAt + 1, ops.length);
    const c1 = sum(dispatchAt + 1, combineAt);
    const x0 = opOf(l, "moe_dispatch").ms;
    const x1 = opOf(l, "moe_combine").ms;
    const phase = (c: number, x: number) => Math.max(x, c + smShare * x);
    return phase(c0, x1) + phase(c0, x0) + phase(c1, x0) + phase(c1, x1);
  };

  it("pairs each micro-batch's attention and experts with the other's dispatch and combine", () => {
    // Low-latency all-to-all (decode's default) occupies no SMs.
    expect(tbo.moeAllToAll).toBe("low-latency");
    expect(layer(tbo, 10)?.dominantMs).toBeCloseTo(handRolledTboMs(layer(tbo, 10), 0), 12);
  });

  it("normal-mode all-to-all takes 20 of 132 SMs from the compute beside it", () => {
    const prefill = { prefill: { sequences: 2, newTokens: 4096, cachedTokens: 0 }, decode: null };
    const normal = simulateStep({ ...base, workload: prefill, overlap: "two-micro-batch" });
    expect(normal.moeAllToAll).toBe("normal");
    expect(layer(normal, 10)?.dominantMs).toBeCloseTo(handRolledTboMs(layer(normal, 10), 20 / 132), 12);
  });
});

describe("pipeline parallelism", () => {
  const result = simulateStep({
    model: model("meta-llama/Llama-3.1-70B"),
    hardware: hardware("H100"),
    parallel: { tp: 8, pp: 2 },
    workload: decode(8, 1024),
  });
  it("splits layers into stages, adds one send between them and sums stage times", () => {
    expect(result.parallel.layersPerStage).toEqual([40, 40]);
    expect(result.layers.filter((l) => l.kind === "pipeline")).toHaveLength(1);
    expect(result.totals?.stageMs).toHaveLength(2);
    expect(result.totals?.latencyMs).toBeCloseTo(
      (result.totals?.stageMs ?? []).reduce((a, b) => a + b, 0),
      9,
    );
    expect(result.totals?.tokensPerSecPerReplica).toBeCloseTo(
      (8 * 1e3) / Math.max(...(result.totals?.stageMs ?? [])),
      6,
    );
  });
});

describe("memory fit", () => {
  it("reports a configuration that does not fit, with the numbers, and simulates nothing", () => {
    const result = simulateStep({
      model: model("meta-llama/Llama-3.1-405B"),
      hardware: hardware("H100"),
      parallel: { tp: 8 },
      workload: decode(1, 1024),
    });
    expect(result.status).toBe("does-not-fit");
    expect(result.memory.fits).toBe(false);
    expect(result.memory.weightsBytes).toBeGreaterThan(80e9);
    expect(result.totals).toBeNull();
    expect(result.layers).toHaveLength(0);
  });
  it("simulates anyway with ignoreMemory, still saying it does not fit", () => {
    const result = simulateStep({
      model: model("meta-llama/Llama-3.1-405B"),
      hardware: hardware("H100"),
      parallel: { tp: 8 },
      workload: decode(1, 1024),
      ignoreMemory: true,
    });
    expect(result.status).toBe("ok");
    expect(result.memory.fits).toBe(false);
    expect(result.totals?.latencyMs).toBeGreaterThan(0);
  });
});

describe("unquantized tensors", () => {
  it("keep the checkpoint's format whatever the activation format: FP8 activations do not shrink embeddings, LM head or norms", () => {
    const run = (activation: "bf16" | "fp8") =>
      simulateStep({
        model: model("meta-llama/Llama-3.1-8B"),
        hardware: hardware("H100"),
        workload: decode(8, 1024),
        dtypes: { weight: "fp8", activation },
      });
    const bf16 = run("bf16");
    const fp8 = run("fp8");
    expect(fp8.memory.weightsBytes).toBe(bf16.memory.weightsBytes);
    const head = fp8.layers.find((l) => l.name === "lm_head");
    // V·H·2 bytes: 128,256 × 4,096 × 2 (bf16, as ModelOpt FP8 checkpoints keep lm_head).
    expect(opOf(head, "lm_head").weightBytes).toBe(128_256 * 4096 * 2);
    expect(opOf(layer(fp8, 0), "qkv_proj").weightBytes).toBe(4096 * 6144 * 1);
  });
});

describe("bad input", () => {
  const llama = model("meta-llama/Llama-3.1-8B");
  const run = (extra: object) => () =>
    simulateStep({ model: llama, hardware: hardware("H100"), workload: decode(1, 128), ...extra });
  it("rejects TP that does not divide the heads, listing the allowed values", () => {
    try {
      run({ parallel: { tp: 3 } })();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).issues[0]).toMatchObject({
        path: ["parallel", "tp"],
        allowed: expect.arrayContaining(["1", "2", "4", "8"]),
      });
    }
  });
  it("rejects EP on a dense model, EP above the expert count, zero sizes", () => {
    expect(run({ parallel: { ep: 2 } })).toThrow(/dense/);
    expect(() =>
      simulateStep({
        model: model("mistralai/Mixtral-8x7B-v0.1"),
        hardware: hardware("H100"),
        workload: decode(1, 8),
        parallel: { dp: 16, ep: 16 },
      }),
    ).toThrow(/larger than the 8 experts/);
    expect(run({ workload: decode(0, 128) })).toThrow(/batch must be an integer >= 1/);
    expect(run({ workload: decode(1, -5) })).toThrow(/context/);
  });
  it("names a missing hardware figure instead of returning NaN", () => {
    expect(() =>
      simulateStep({ model: llama, hardware: hardware("H100-NVL"), workload: decode(1, 128) }),
    ).toThrow(/denseTflops.bf16/);
  });
});

describe("predictor parameters", () => {
  it("halving the GEMM efficiency doubles compute-bound GEMM time", () => {
    const prefill = { prefill: { sequences: 1, newTokens: 4096, cachedTokens: 0 }, decode: null };
    const base = simulateStep({
      model: model("meta-llama/Llama-3.1-8B"),
      hardware: ROUND_GPU,
      workload: prefill,
    });
    const slow = simulateStep({
      model: model("meta-llama/Llama-3.1-8B"),
      hardware: ROUND_GPU,
      workload: prefill,
      predictor: rooflinePredictor({
        ...DEFAULT_ROOFLINE_PARAMS,
        gemmComputeEfficiency: DEFAULT_ROOFLINE_PARAMS.gemmComputeEfficiency / 2,
      }),
    });
    const a = opOf(layer(base, 0), "mlp_up");
    const b = opOf(layer(slow, 0), "mlp_up");
    expect(a.bound).toBe("compute");
    expect(b.ms).toBeCloseTo(2 * a.ms, 9);
  });
});

describe("MoE all-to-all modes", () => {
  const v3 = model("deepseek-ai/DeepSeek-V3");
  const h800 = hardware("H800");
  const plan = resolvePlan(v3, { tp: 1, pp: 1, dp: 32, ep: 32, redundantExperts: 0, expertImbalance: 1 });
  const prefill = { prefill: { sequences: 1, newTokens: 4096, cachedTokens: 0 }, decode: null };
  const dispatchOf = (mode: "normal" | "low-latency", imbalance = 1) => {
    const p = { ...plan, expertImbalance: imbalance };
    const ctx = buildContext(v3, p, resolveDtypes(v3, h800), h800, "auto", mode);
    const op = decoderLayerOps(ctx, { ffn: "moe", slidingWindow: null }, prefill).find(
      (o) => o.name === "moe_dispatch",
    );
    if (!op?.comm) throw new Error("no dispatch");
    return op.comm;
  };

  it("normal mode sends a token once per destination domain over the NIC and once per destination rank over NVLink, FP8 with its scales", () => {
    const comm = dispatchOf("normal");
    const miss = (held: number) => {
      let m = 1;
      for (let i = 0; i < 8; i++) m *= (256 - held - i) / (256 - i);
      return m;
    };
    const row = 4096 * 7168 * (1 + 4 / 128);
    expect(comm.bytes).toBe(4096 * 8 * 7168);
    // 3 other nodes of 64 experts each; 32 ranks of 8 experts each.
    expect(comm.split?.scaleOutBytes).toBeCloseTo(row * 3 * (1 - miss(64)), 3);
    expect(comm.split?.scaleUpBytes).toBeCloseTo(row * 32 * (1 - miss(8)), 3);
    expect(comm.implementation).toBe("deepep-normal");
  });

  it("low-latency mode sends every copy; the imbalance factor scales the busiest rank's exchange", () => {
    expect(dispatchOf("low-latency").split).toBeNull();
    expect(dispatchOf("low-latency", 1.5).bytes).toBe(1.5 * 4096 * 8 * 7168);
  });

  it("auto picks normal for prefill and low-latency for decode", () => {
    const run = (workload: StepWorkload) =>
      simulateStep({ model: v3, hardware: h800, parallel: { dp: 32, ep: 32 }, workload, ignoreMemory: true })
        .moeAllToAll;
    expect(run(prefill)).toBe("normal");
    expect(run(decode(8, 1024))).toBe("low-latency");
  });
});

describe("block-scaled FP8 weights", () => {
  const v3 = model("deepseek-ai/DeepSeek-V3");
  const h800 = hardware("H800");
  const variants = (dtypes: Parameters<typeof simulateStep>[0]["dtypes"] = {}) => {
    const result = simulateStep({
      model: v3,
      hardware: h800,
      parallel: { tp: 8 },
      workload: { prefill: { sequences: 1, newTokens: 1024, cachedTokens: 0 }, decode: null },
      mlaMode: "naive",
      dtypes,
      ignoreMemory: true,
    });
    const moe = result.layers.find((l) => l.kind === "moe");
    return (name: string) => opOf(moe, name).familyVariant;
  };

  it("DeepSeek-V3's FP8 GEMMs carry its 128 x 128 weight blocks; unquantized ones do not", () => {
    expect(dtypesOf(v3).weightBlockSize).toEqual([128, 128]);
    const variant = variants();
    for (const name of [
      "qkv_a_proj",
      "kv_up_proj_prefill",
      "o_proj",
      "experts_up",
      "experts_down",
      "shared_expert_up",
    ])
      expect(variant(name), name).toBe("block-128x128");
    expect(variant("router")).toBe("");
  });

  it("weightBlockSize null is per-tensor FP8; other weight formats never carry a block", () => {
    expect(variants({ weightBlockSize: null })("experts_up")).toBe("");
    expect(variants({ weight: "bf16" })("qkv_a_proj")).toBe("");
  });

  it("a block asked for with no FP8 weights is ignored, and the result says so", () => {
    const warningsOf = (m: ReturnType<typeof model>, dtypes: Partial<StepDtypes>) =>
      simulateStep({
        model: m,
        hardware: h800,
        parallel: { tp: 8 },
        workload: decode(8, 1024),
        dtypes,
        ignoreMemory: true,
        detail: "totals",
      }).warnings;
    const llama = model("meta-llama/Llama-3.1-70B");
    expect(warningsOf(llama, { weightBlockSize: [128, 128] })).toEqual([
      "weight block size 128x128 is ignored: it scales FP8 weights, and these are bf16",
    ]);
    // FP8 weights use it; "none" and the checkpoint's own block (DeepSeek-V3 run in BF16) ask nothing.
    expect(warningsOf(llama, { weight: "fp8", weightBlockSize: [128, 128] })).toEqual([]);
    expect(warningsOf(llama, { weightBlockSize: null })).toEqual([]);
    expect(warningsOf(v3, { weight: "bf16" })).toEqual([]);
    expect(warningsOf(v3, { weight: "bf16", weightBlockSize: [128, 128] })).toHaveLength(1);
  });
});

function dtypesOf(m: ReturnType<typeof model>) {
  return resolveDtypes(m, hardware("H800"));
}

describe("TP all-reduce kernels (allReduce)", () => {
  const llama70b = model("meta-llama/Llama-3.1-70B");
  const h100 = hardware("H100");
  const run = (tp: number, allReduce?: "nccl" | "custom") =>
    simulateStep({
      model: llama70b,
      hardware: h100,
      workload: decode(1, 1024),
      parallel: { tp },
      ...(allReduce ? { allReduce } : {}),
    });

  it("custom puts every TP all-reduce on the custom kernels and prices it as one shot (hand-derived)", () => {
    const custom = run(8, "custom");
    expect(custom.allReduce).toBe("custom");
    const allReduce = opOf(layer(custom, 0), "attn_all_reduce");
    // One token x H 8192 x 2 bytes = 16,384 bytes; 3.23 µs + 7 x 16,384 B / (450 GB/s x 0.765).
    expect(allReduce.commMs).toBeCloseTo(3.23e-3 + ((7 * 16_384) / (450e9 * 0.765)) * 1e3, 6);
    expect(opOf(layer(custom, 0), "mlp_all_reduce").familyVariant).toBe("all-reduce/custom/scale-up");
    const nccl = run(8);
    expect(nccl.allReduce).toBe("nccl");
    expect(opOf(layer(nccl, 0), "attn_all_reduce").familyVariant).toBe("all-reduce/nccl/scale-up");
    expect(custom.totals?.latencyMs).toBeLessThan(nccl.totals?.latencyMs as number);
    expect(custom.warnings).toEqual(nccl.warnings);
  });

  it("a TP group across scale-up domains stays on NCCL, and says so", () => {
    const r = run(16, "custom");
    expect(r.allReduce).toBe("nccl");
    expect(r.totals?.latencyMs).toBe(run(16).totals?.latencyMs);
    expect(r.warnings).toContainEqual(
      expect.stringMatching(/custom all-reduce is ignored: the TP group spans 2/),
    );
  });
});
