import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hardware, model } from "../../../test/helpers/fixtures.ts";
import { InputError } from "../issues.ts";
import { groupSpan } from "../parallel/placement.ts";
import { rooflinePredictor } from "../predictor/roofline.ts";
import { pingPongStepMs, steadyLayerMs } from "./ping-pong.ts";
import { afdSides, layerTimes } from "./sides.ts";
import { simulateAfd } from "./simulate.ts";
import { afdTransfer } from "./transfer.ts";

const v3 = model("deepseek-ai/DeepSeek-V3");
const h800 = hardware("H800");
const predictor = rooflinePredictor();
const decode = (sequences: number, contextTokens: number) => ({
  prefill: null,
  decode: { sequences, contextTokens },
});
const setup = (sequences: number) => ({
  model: v3,
  attentionHardware: h800,
  ffnHardware: h800,
  workload: decode(sequences, 4096),
  expertImbalance: 1,
  redundantExperts: 0,
  dtypes: {},
  predictor,
});
const moeKind = v3.layers.find((layer) => layer.ffn === "moe");
const inputError = (run: () => unknown): InputError => {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
};

describe("one attention -> FFN hop of DeepSeek-V3 at batch 8 on H800 (hand-derived)", () => {
  // Bytes: 8 tokens x top-8 copies x 7168 hidden x 1 byte (FP8 dispatch, DeepEP's format, since the
  // experts run FP8 on H800) = 458,752 B per attention GPU. With 8 attention and 8 FFN GPUs the
  // busiest FFN GPU receives 8·458,752/8 = 458,752 B too. 16 GPUs > one 8-GPU node: the link is the
  // 50 GB/s CX7 NIC at the roofline's 0.789 efficiency = 39.45 GB/s; 458,752 / 39.45e9 = 11.6288 µs.
  // NCCL cost constants, one scale-out step: LL 6.6 + 2.7 + 4·11.6288 = 55.82 µs; LL128
  // 14.0 + 4.0 + 11.6288/0.92 = 30.640 µs; Simple 8.4 + 14.0 + 11.6288 = 34.03 µs -> 30.640 µs.
  const expectedMs = (14.0 + 4.0 + 458_752 / 39.45e9 / 0.92 / 1e-6) / 1e3;

  it("transfer bytes and time", () => {
    const hop = afdTransfer({
      name: "to_ffn",
      tokensPerAttentionGpu: 8,
      attentionGpus: 8,
      ffnGpus: 8,
      fanOut: 8,
      imbalance: 1,
      hiddenSize: 7168,
      bytesPerElement: 1,
      span: groupSpan(2, 1, 1),
      attentionHardware: h800,
      ffnHardware: h800,
      predictor,
    });
    expect(hop.attentionGpuBytes).toBe(458_752);
    expect(hop.ffnGpuBytes).toBe(458_752);
    expect(hop.ms).toBeCloseTo(expectedMs, 12);
    expect(hop.ms * 1e3).toBeCloseTo(30.64, 2);
  });

  it("the layer model sends the same hop (FP8 dispatch, top-8, over the NIC)", () => {
    const s = setup(8);
    const split = { attentionGpus: 8, ffnGpus: 8, microBatches: 1 };
    const t = layerTimes(s, afdSides(s, 8), split, moeKind as (typeof v3.layers)[number], decode(8, 4096));
    expect(t.toFfnBytesPerAttentionGpu).toBe(458_752);
    expect(t.toFfnMs).toBeCloseTo(expectedMs, 12);
    // The combine returns BF16: twice the bytes, so a slower hop.
    expect(t.toAttentionMs).toBeGreaterThan(t.toFfnMs);
  });
});

describe("ping-pong pipeline", () => {
  it("one micro-batch runs its stages back to back", () => {
    const stages = [
      { resource: "attention", ms: 3 },
      { resource: "to-ffn", ms: 1 },
      { resource: "ffn", ms: 2 },
      { resource: "to-attention", ms: 1 },
    ] as const;
    expect(pingPongStepMs(stages, 1)).toBe(7);
  });

  it("two micro-batches over two layers: fill, then the attention side paces the pipeline", () => {
    // Layer stages A=2, F=1 (no link time); m=2. A0: mb0 0-2, mb1 2-4. F0: mb0 2-3, mb1 4-5.
    // A1: mb0 max(3, 4)=4-6, mb1 6-8. F1: mb0 6-7, mb1 8-9. Step 9 ms; steady layer max(2·2, 3) = 4.
    const layer = [
      { resource: "attention", ms: 2 },
      { resource: "ffn", ms: 1 },
    ] as const;
    expect(pingPongStepMs([...layer, ...layer], 2)).toBe(9);
    expect(steadyLayerMs([2, 1], 2)).toBe(4);
    expect(steadyLayerMs([2, 1], 1)).toBe(3);
  });

  it("never beats a resource's busy time nor one micro-batch's path, and never exceeds running them serially", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom("attention", "to-ffn", "ffn", "to-attention"),
            fc.double({ min: 0, max: 5, noNaN: true }),
          ),
          {
            minLength: 1,
            maxLength: 24,
          },
        ),
        fc.integer({ min: 1, max: 6 }),
        (raw, m) => {
          const stages = raw.map(([resource, ms]) => ({ resource, ms }));
          const step = pingPongStepMs(stages, m);
          const path = stages.reduce((sum, s) => sum + s.ms, 0);
          for (const resource of ["attention", "to-ffn", "ffn", "to-attention"]) {
            const busy = m * stages.filter((s) => s.resource === resource).reduce((sum, s) => sum + s.ms, 0);
            expect(step).toBeGreaterThanOrEqual(busy - 1e-9);
          }
          expect(step).toBeGreaterThanOrEqual(path - 1e-9);
          expect(step).toBeLessThanOrEqual(m * path + 1e-9);
        },
      ),
    );
  });
});

describe("AFD search on DeepSeek-V3 / H800 decode", () => {
  const report = simulateAfd({ model: v3, attentionHardware: h800, workload: decode(64, 4096) });

  it("the best split fits, has the highest throughput per GPU among fitting splits, and names its bottleneck", () => {
    const best = report.best;
    expect(best).not.toBeNull();
    for (const c of report.candidates)
      if (c.fits) expect(c.tokensPerSecPerGpu).toBeLessThanOrEqual(best?.tokensPerSecPerGpu as number);
    expect(["attention", "ffn", "transfer", "latency"]).toContain(best?.bottleneck);
    expect(best?.tokensPerSecPerGpu).toBeCloseTo((best?.tokensPerSec as number) / (best?.gpus as number), 9);
  });

  it("compares each split with the same GPUs co-located, carrying the same sequences", () => {
    for (const c of report.candidates) {
      expect(c.colocated.gpus).toBe(c.attentionGpus + c.ffnGpus);
      expect(c.colocated.batchPerGpu).toBe(Math.ceil((64 * c.attentionGpus) / c.colocated.gpus));
    }
  });

  it("FFN GPUs that cannot hold the experts do not fit (8 H800s cannot hold 671B FP8 weights)", () => {
    for (const c of report.candidates.filter((c) => c.ffnGpus <= 8)) expect(c.fits).toBe(false);
  });

  it("more FFN GPUs never slow the FFN stage of a micro-batch", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 128 }),
        fc.constantFrom(1, 2, 4, 8, 16, 32, 64, 128),
        (batch, ffnGpus) => {
          const s = setup(batch);
          const t = (nf: number) =>
            layerTimes(
              s,
              afdSides(s, nf),
              { attentionGpus: 16, ffnGpus: nf, microBatches: 1 },
              moeKind as (typeof v3.layers)[number],
              decode(batch, 4096),
            ).ffnMs;
          expect(t(ffnGpus * 2)).toBeLessThanOrEqual(t(ffnGpus) * (1 + 1e-12));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("bad input", () => {
  it("batch 0, an imbalance below 1 and empty lists name their fields", () => {
    const error = inputError(() =>
      simulateAfd({
        model: v3,
        attentionHardware: h800,
        workload: decode(0, 4096),
        expertImbalance: 0.5,
        ffnGpus: [],
      }),
    );
    const paths = error.issues.map((issue) => issue.path.join("."));
    expect(paths).toEqual(
      expect.arrayContaining(["workload.decode.sequences", "expertImbalance", "ffnGpus"]),
    );
  });

  it("hardware with zero bandwidth", () => {
    const zero = { ...h800, hbmBandwidthBytesPerSec: 0 };
    const error = inputError(() =>
      simulateAfd({ model: v3, attentionHardware: zero, workload: decode(8, 4096) }),
    );
    expect(error.issues[0]?.path).toEqual(["hardware", "H800-SXM", "hbmBandwidthGBps"]);
  });

  it("splits the hardware cannot link are skipped with the reason (A100 has no RDMA figure in the catalog)", () => {
    const report = simulateAfd({
      model: v3,
      attentionHardware: hardware("A100"),
      workload: decode(8, 4096),
      attentionGpus: [4, 8],
      ffnGpus: [4],
    });
    expect(report.candidates.map((c) => `${c.attentionGpus}:${c.ffnGpus}`)).toEqual(["4:4"]);
    expect(report.skipped[0]?.reason).toContain("scaleOut.bandwidthGBps");
  });
});
