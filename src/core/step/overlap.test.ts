import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TwoMicroBatchSchedule, twoMicroBatchPhaseMs } from "./overlap.ts";

type Item = { compute: number } | { comm: number; share: number };

function layerMs(items: readonly Item[]): number {
  const schedule = new TwoMicroBatchSchedule();
  for (const item of items) {
    if ("compute" in item) schedule.addCompute(item.compute);
    else schedule.addCollective(item.comm, item.share);
  }
  return schedule.layerMs();
}

describe("two-micro-batch schedule", () => {
  it("pairs each compute segment with the collective before and after it (hand-derived)", () => {
    // attention 5, dispatch 4, experts 3, combine 8: phases attn(A)|combine(B) 8, attn(B)|dispatch(A) 5,
    // experts(A)|dispatch(B) 4, experts(B)|combine(A) 8 = 25 ms, above the ideal 2·max(8, 12) = 24.
    const moeLayer = [{ compute: 5 }, { comm: 4, share: 0 }, { compute: 3 }, { comm: 8, share: 0 }];
    expect(layerMs(moeLayer)).toBe(25);
  });

  it("slows compute beside an SM-occupying collective: max(comm, compute + share·comm)", () => {
    expect(twoMicroBatchPhaseMs(5, 8, 0.25)).toBe(8);
    expect(twoMicroBatchPhaseMs(5, 4, 0.25)).toBe(6);
    // The layer above with both collectives on a quarter of the SMs: 8 + 6 + 4 + 8.
    const moeLayer = [{ compute: 5 }, { comm: 4, share: 0.25 }, { compute: 3 }, { comm: 8, share: 0.25 }];
    expect(layerMs(moeLayer)).toBe(26);
  });

  it("runs the ops after the last collective with the ones before the first (next layer)", () => {
    // c0 = 1 + 2 trailing = 3, c1 = 3: max(3,4) + max(3,2) + max(3,2) + max(3,4) = 14.
    const items = [
      { compute: 1 },
      { comm: 2, share: 0 },
      { compute: 3 },
      { comm: 4, share: 0 },
      { compute: 2 },
    ];
    expect(layerMs(items)).toBe(14);
  });

  it("is 2·max(compute, comm) with one collective and 2·compute with none", () => {
    expect(layerMs([{ compute: 3 }, { comm: 5, share: 0 }, { compute: 1 }])).toBe(10);
    expect(layerMs([{ compute: 3 }, { compute: 1.5 }])).toBe(9);
  });

  it("never beats either stream run alone for both micro-batches, nor exceeds running them back to back", () => {
    const item = fc.oneof(
      fc.record({ compute: fc.double({ min: 0, max: 100, noNaN: true }) }),
      fc.record({
        comm: fc.double({ min: 0, max: 100, noNaN: true }),
        share: fc.double({ min: 0, max: 0.5, noNaN: true }),
      }),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 12 }), (items) => {
        const ms = layerMs(items);
        const compute = items.reduce((s, i) => s + ("compute" in i ? i.compute : 0), 0);
        const comm = items.reduce((s, i) => s + ("comm" in i ? i.comm : 0), 0);
        const slack = 1e-9 * (1 + compute + comm);
        return ms >= 2 * compute - slack && ms >= 2 * comm - slack && ms <= 2 * (compute + comm) + slack;
      }),
    );
  });
});
