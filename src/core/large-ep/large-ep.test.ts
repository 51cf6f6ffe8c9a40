import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hardware, model } from "../../../test/helpers/fixtures.ts";
import { InputError } from "../issues.ts";
import { resolveEpList } from "./ep-list.ts";
import { evaluateLargeEp } from "./evaluate.ts";
import { busiestRankFactor, placeReplicas, replicateHottest } from "./imbalance.ts";

const v3 = model("deepseek-ai/DeepSeek-V3");
const h800 = hardware("H800");
const decode = (sequences: number, contextTokens: number) => ({
  prefill: null,
  decode: { sequences, contextTokens },
});
const inputError = (run: () => unknown): InputError => {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
};

describe("busiest-rank factor (hand-derived)", () => {
  it("power-law alpha 1, 4 experts on 2 ranks: loads 1, 1/2, 1/3, 1/4 packed to {1, 1/4} and {1/2, 1/3}", () => {
    // Heaviest first onto the lighter rank with a free slot: 1 -> r0, 1/2 -> r1, 1/3 -> r1 (0.5 < 1),
    // 1/4 -> r0 (r1 is full). Rank loads 5/4 and 5/6; mean 25/24; factor (5/4)/(25/24) = 6/5.
    expect(placeReplicas([1, 1 / 2, 1 / 3, 1 / 4], [1, 1, 1, 1], 2)).toEqual([1.25, 1 / 2 + 1 / 3]);
    expect(busiestRankFactor({ kind: "power-law", alpha: 1 }, 4, 2, 0)).toBeCloseTo(1.2, 12);
  });

  it("two redundant experts both replicate the hottest expert (load per replica 1/2, then 1/3)", () => {
    // Replicas: e0 x3 (1/3 each), e1 1/2, e2 1/3, e3 1/4 on 2 ranks of 3 slots:
    // 1/2 -> r0; 1/3 -> r1; 1/3 -> r1; 1/3 -> r0; 1/3 -> r1 (full at 1); 1/4 -> r0 (13/12).
    // Mean 25/24, factor (13/12)/(25/24) = 26/25.
    expect(replicateHottest([1, 1 / 2, 1 / 3, 1 / 4], 2)).toEqual([3, 1, 1, 1]);
    expect(busiestRankFactor({ kind: "power-law", alpha: 1 }, 4, 2, 2)).toBeCloseTo(26 / 25, 12);
  });

  it("a histogram gives its measured max/mean after placement", () => {
    // Counts 30, 10, 10, 10 on 2 ranks: {30, 10} and {10, 10}; mean 30; factor 40/30.
    const spec = { kind: "histogram", tokensPerExpert: [30, 10, 10, 10], source: "h.txt" } as const;
    expect(busiestRankFactor(spec, 4, 2, 0)).toBeCloseTo(4 / 3, 12);
  });

  it("is 1 for one rank or uniform loads, and between 1 and the rank count otherwise", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.constantFrom(1, 2, 4, 8, 16, 32),
        fc.integer({ min: 0, max: 32 }),
        (alpha, ranks, redundant) => {
          const factor = busiestRankFactor({ kind: "power-law", alpha }, 64, ranks, redundant);
          expect(factor).toBeGreaterThanOrEqual(1);
          expect(factor).toBeLessThanOrEqual(ranks + 1e-9);
          expect(busiestRankFactor({ kind: "power-law", alpha }, 64, 1, redundant)).toBe(1);
          expect(busiestRankFactor({ kind: "power-law", alpha: 0 }, 64, ranks, 0)).toBeCloseTo(1, 12);
        },
      ),
    );
  });
});

describe("EP list", () => {
  it("keeps the default degrees that divide the slots: 256 experts, + 32 redundant (DeepSeek's 288 at EP 144)", () => {
    expect(resolveEpList(v3, h800, 0, undefined).list.eps).toEqual([8, 16, 32, 64, 128, 256]);
    expect(resolveEpList(v3, h800, 32, undefined).list.eps).toEqual([8, 16, 32, 72, 144, 288]);
    expect(resolveEpList(v3, h800, 64, undefined).list.eps).toEqual([8, 16, 32, 64, 320]);
  });

  it("rejects a requested EP that does not divide the experts, listing the allowed degrees", () => {
    const error = inputError(() =>
      evaluateLargeEp({ model: v3, hardware: h800, workload: decode(4, 8192), eps: [48] }),
    );
    expect(error.issues[0]?.path).toEqual(["ep"]);
    expect(error.issues[0]?.message).toContain("EP 48 does not divide the 256 experts");
    expect(error.issues[0]?.allowed).toContain("64");
  });

  it("skips degrees past one node when the hardware has no RDMA figure (A100 in the catalog)", () => {
    const { list } = resolveEpList(v3, hardware("A100"), 0, undefined);
    expect(list.eps).toEqual([8]);
    expect(list.skipped[0]?.reason).toContain("no scaleOut.bandwidthGBps");
  });

  it("rejects a histogram with the wrong number of experts or a negative count", () => {
    const run = (counts: number[]) =>
      inputError(() =>
        evaluateLargeEp({
          model: v3,
          hardware: h800,
          workload: decode(4, 8192),
          imbalance: { kind: "histogram", tokensPerExpert: counts, source: "h.txt" },
        }),
      );
    expect(run([1, 2, 3]).issues[0]?.message).toContain("3 per-expert token counts; the model has 256");
    const negative = new Array<number>(256).fill(1);
    negative[5] = -1;
    expect(run(negative).issues[0]?.path).toEqual(["imbalance", "histogram", 5]);
  });

  it("rejects hardware with zero bandwidth, naming the field", () => {
    const zero = { ...h800, scaleOut: { bandwidthBytesPerSec: 0 } };
    const error = inputError(() => evaluateLargeEp({ model: v3, hardware: zero, workload: decode(4, 8192) }));
    expect(error.issues.map((issue) => issue.path.join("."))).toContain(
      "hardware.H800-SXM.scaleOut.bandwidthGBps",
    );
  });
});

describe("large-EP sweep on DeepSeek-V3 / H800 decode", () => {
  const report = evaluateLargeEp({ model: v3, hardware: h800, workload: decode(32, 4096) });
  const rows = (mode: string, overlap: string) =>
    report.rows.filter((row) => row.mode === mode && row.overlap === overlap);

  it("reports both dispatch modes with overlap off and on, per EP", () => {
    expect(report.rows).toHaveLength(6 * 4);
    for (const row of report.rows) {
      expect(row.gpus).toBe(row.ep);
      expect(row.domains).toBe(Math.ceil(row.ep / 8));
    }
  });

  it("without overlap the layer is the sum of its ops and all of dispatch + combine is exposed", () => {
    for (const row of rows("low-latency", "none")) {
      const parts =
        row.attentionMs + row.routedExpertsMs + row.sharedExpertMs + row.dispatchMs + row.combineMs;
      expect(row.layerMs).toBeGreaterThanOrEqual(parts);
      expect(row.layerMs - parts).toBeLessThan(0.02 * row.layerMs); // FFN norm and router
      expect(row.exposedCommMs).toBeCloseTo(row.dispatchMs + row.combineMs, 9);
    }
  });

  it("two-micro-batch overlap hides communication: exposed comm shrinks, per GPU throughput is reported", () => {
    const off = rows("normal", "none");
    const on = rows("normal", "two-micro-batch");
    off.forEach((row, i) => {
      expect(on[i]?.exposedCommMs).toBeLessThanOrEqual(row.exposedCommMs);
      expect(on[i]?.tokensPerSecPerGpu).toBeGreaterThan(0);
    });
  });

  it("at a fixed per-GPU batch, routed-expert time falls and low-latency dispatch time grows with EP", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 256 }), fc.constantFrom(8, 16, 32, 64, 128), (batch, small) => {
        const sweep = evaluateLargeEp({
          model: v3,
          hardware: h800,
          workload: decode(batch, 2048),
          eps: [small, small * 2],
        }).rows.filter((row) => row.mode === "low-latency" && row.overlap === "none");
        const [a, b] = sweep;
        expect(b?.routedExpertsMs).toBeLessThanOrEqual((a?.routedExpertsMs as number) * (1 + 1e-12));
        expect(b?.dispatchMs).toBeGreaterThanOrEqual((a?.dispatchMs as number) * (1 - 1e-12));
      }),
      { numRuns: 40 },
    );
  });
});
