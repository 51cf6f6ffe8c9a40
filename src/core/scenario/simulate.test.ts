import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seedHardwareRecord, seedModel } from "../../config/seed-scenario.ts";
import { hardwareSpecOf } from "../hardware/resolve.ts";
import { InputError } from "../issues.ts";
import { simulateScenario } from "./simulate.ts";
import type { ScenarioLayer } from "./types.ts";
import { scenarioWorkload } from "./workload.ts";

const hardware = hardwareSpecOf(
  seedHardwareRecord({
    name: "A100-80GB",
    peak_tflops: 312,
    memory_bandwidth_gbps: 2030,
    hbm_gb: 80,
    interconnect_gbps: 600,
    max_concurrency: 2,
    overlap_efficiency: 1,
  }).record,
);
// DeepSeek-V3 config.json figures, written out so no default is involved.
const attn_config = {
  type: "MLA",
  d_model: 7168,
  num_attention_heads: 128,
  v_head_dim: 128,
  q_lora_rank: 1536,
  kv_lora_rank: 512,
  qk_nope_head_dim: 128,
  qk_rope_head_dim: 64,
} as const;
const built = seedModel(
  [
    {
      type: "ffn_layer",
      name: "ffn",
      file: "ffn.yaml",
      template: { attn_config, ffn_config: { d_model: 7168, d_ff: 18432, hidden_act: "silu" } },
    },
  ],
  { id: "dsv3-dense", vocabSize: 129280, weightDtype: "bf16" },
);
if (!built.ok) throw new Error("fixture");
const model = built.value;
const ffn: ScenarioLayer = { type: "ffn_layer", name: "ffn" };
const allReduce = (payloadBytes: number): ScenarioLayer => ({
  type: "comm_layer",
  name: "ar",
  comm: { collective: "all-reduce", payloadBytes, groupSize: 8 },
});

describe("simulateScenario", () => {
  it("costs a DeepSeek-V3 dense layer at batch 8 x seq 4096 prefill to the hand-derived FLOPs", () => {
    const result = simulateScenario({
      model,
      hardware,
      layers: [ffn],
      workload: scenarioWorkload("prefill", 8, 4096),
    });
    // T = 8 x 4096 = 32768 tokens, H = 7168, I = 18432, h = 128 heads, Dq = 1536, Dc = 512,
    // d_nope = 128, dr = 64, d_v = 128; prefill MLA up-projects K/V (naive form).
    const T = 8 * 4096;
    const H = 7168;
    const norms = 2 * 4 * T * H; // two RMSNorms, 4 FLOPs per element
    const qkvA = 2 * T * H * (1536 + 512 + 64); // 992,137,445,376
    const qB = 2 * T * 1536 * 128 * (128 + 64); // 2,473,901,162,496
    const kvUp = 2 * T * 512 * 128 * (128 + 128); // 1,099,511,627,776
    const pairs = (8 * 4096 * 4097) / 2; // causal query-key pairs, 67,125,248
    const attention = 2 * 128 * pairs * (192 + 128); // QK^T and PV: 5,498,900,316,160
    const oProj = 2 * T * 128 * 128 * H; // 7,696,581,394,432
    const mlp = 2 * T * H * 2 * 18432 + 2 * T * 18432 * H; // gate+up and down: 25,975,962,206,208
    const layer = result.layers[0];
    expect(layer?.flops).toBe(norms + qkvA + qB + kvUp + attention + oProj + mlp); // 43,738,873,200,640
    expect(layer?.flops).toBe(43_738_873_200_640);
    expect(layer?.ops.find((op) => op.name === "mlp_up")?.flops).toBe(17_317_308_137_472);
    expect(layer?.bound).toBe("compute");
    expect(layer?.estimated_execution_time_ms).toBe(layer?.dominant_latency_ms);
    expect(layer?.dominant_latency_ms).toBeGreaterThanOrEqual(
      Math.max(layer?.compute_time_ms ?? 0, layer?.memory_time_ms ?? 0),
    );
    expect(result.total_flops).toBe(layer?.flops);
    expect(result.bottleneck_layer).toBe("ffn");
  });

  it("hides a comm layer behind the layer before it at the overlap efficiency", () => {
    const workload = scenarioWorkload("decode", 8, 4096);
    const layers = [ffn, allReduce(1e6)];
    const serial = simulateScenario({ model, hardware, layers, workload });
    const [compute, comm] = serial.layers;
    const commMs = comm?.comm_time_ms ?? Number.NaN;
    expect(comm?.flops).toBe(0);
    expect(commMs).toBeGreaterThan(0);
    expect(comm?.estimated_execution_time_ms).toBeCloseTo(commMs, 12);
    expect(serial.total_latency_ms).toBeCloseTo((compute?.dominant_latency_ms ?? 0) + commMs, 12);
    const computeMs = compute?.dominant_latency_ms ?? 0;
    // Fully overlapped: the layer pair takes max(compute, comm); half: halfway between.
    const full = simulateScenario({
      model,
      hardware,
      layers,
      workload,
      overlap: "full",
      overlapEfficiency: 1,
    });
    expect(full.total_latency_ms).toBeCloseTo(Math.max(computeMs, commMs), 12);
    const half = simulateScenario({
      model,
      hardware,
      layers,
      workload,
      overlap: "full",
      overlapEfficiency: 0.5,
    });
    expect(half.total_latency_ms).toBeCloseTo(
      0.5 * (computeMs + commMs) + 0.5 * Math.max(computeMs, commMs),
      12,
    );
    // A comm layer first has nothing to hide behind.
    const first = simulateScenario({
      model,
      hardware,
      layers: [allReduce(1e6), ffn],
      workload,
      overlap: "full",
    });
    expect(first.layers[0]?.estimated_execution_time_ms).toBeCloseTo(commMs, 12);
  });

  it("counts each layer's weights and KV cache in the peak memory", () => {
    const one = simulateScenario({
      model,
      hardware,
      layers: [ffn],
      workload: scenarioWorkload("decode", 8, 4096),
    });
    // MLA caches (Dc + dr) = 576 values per token per layer, bf16: 8 x 4096 x 576 x 2 bytes.
    expect(one.memory.kv_cache_bytes).toBe(8 * 4096 * 576 * 2);
    expect(one.peak_memory_bytes).toBe(
      one.memory.weights_bytes + one.memory.kv_cache_bytes + one.memory.activations_bytes,
    );
    expect(one.memory.hbm_bytes).toBe(80e9);
  });

  it("throws InputError for a layer list that does not match the model, or a bad workload", () => {
    expect(() =>
      simulateScenario({ model, hardware, layers: [ffn, ffn], workload: scenarioWorkload("decode", 1, 1) }),
    ).toThrow(InputError);
    expect(() =>
      simulateScenario({ model, hardware, layers: [ffn], workload: scenarioWorkload("decode", 0, 1) }),
    ).toThrow(InputError);
    const noScaleOut = {
      ...allReduce(1e6),
      comm: { collective: "all-reduce" as const, payloadBytes: 1e6, groupSize: 16 },
    };
    expect(() =>
      simulateScenario({
        model,
        hardware,
        layers: [ffn, noScaleOut],
        workload: scenarioWorkload("decode", 1, 1),
      }),
    ).toThrow(/scaleOut/);
  });

  it("totals are the sums of finite layer figures for any small valid scenario", () => {
    const dims = fc.record({
      heads: fc.constantFrom(1, 2, 4, 8),
      headDim: fc.constantFrom(16, 64, 128),
      dFf: fc.integer({ min: 1, max: 4096 }),
      experts: fc.integer({ min: 1, max: 64 }),
      order: fc.array(fc.constantFrom("ffn_layer", "moe_layer", "comm_layer"), {
        minLength: 1,
        maxLength: 6,
      }),
      batch: fc.integer({ min: 1, max: 64 }),
      seq: fc.integer({ min: 1, max: 8192 }),
      prefill: fc.boolean(),
      efficiency: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(dims, (d) => {
        const attn_config = {
          type: "MHA" as const,
          d_model: d.heads * d.headDim,
          num_attention_heads: d.heads,
        };
        const templates = d.order.map((type, i) => ({
          type,
          name: `${type} ${i}`,
          file: `${type}.yaml`,
          template:
            type === "ffn_layer"
              ? { attn_config, ffn_config: { d_model: attn_config.d_model, d_ff: d.dFf, hidden_act: "silu" } }
              : type === "moe_layer"
                ? {
                    attn_config,
                    moe_config: {
                      moe_intermediate_size: d.dFf,
                      num_experts_per_tok: 1,
                      n_routed_experts: d.experts,
                    },
                  }
                : { comm_config: { payload_mb: 1, pattern: "all-to-all" as const } },
        }));
        const built = seedModel(templates, { id: "fuzz", vocabSize: 1000, weightDtype: "bf16" });
        if (!built.ok) {
          expect(d.order.every((type) => type === "comm_layer")).toBe(true);
          return;
        }
        const layers: ScenarioLayer[] = templates.map((t) =>
          t.type === "comm_layer"
            ? {
                type: t.type,
                name: t.name,
                comm: { collective: "all-to-all", payloadBytes: 1e6, groupSize: 8 },
              }
            : { type: t.type, name: t.name },
        );
        const result = simulateScenario({
          model: built.value,
          hardware,
          layers,
          workload: scenarioWorkload(d.prefill ? "prefill" : "decode", d.batch, d.seq),
          overlap: "full",
          overlapEfficiency: d.efficiency,
        });
        let latencyMs = 0;
        for (const layer of result.layers) {
          expect(Number.isFinite(layer.estimated_execution_time_ms)).toBe(true);
          expect(layer.estimated_execution_time_ms).toBeGreaterThanOrEqual(-1e-12);
          expect(layer.estimated_execution_time_ms).toBeLessThanOrEqual(layer.dominant_latency_ms + 1e-12);
          latencyMs += layer.estimated_execution_time_ms;
        }
        expect(result.total_latency_ms).toBeCloseTo(latencyMs, 9);
      }),
      { numRuns: 200 },
    );
  });
});
