import { describe, expect, it } from "vitest";
import { groupSpan } from "../parallel/placement.ts";
import { deepEpBytesPerChannel, normalAllToAllSec, normalAllToAllSplit, probabilityHit } from "./deepep.ts";

const shape = {
  tokensPerRank: 4096,
  hidden: 7168,
  topK: 8,
  experts: 256,
  ep: 8,
  expertTp: 1,
  imbalance: 1,
  elementBytes: 1,
};

describe("DeepEP normal-mode tier bytes", () => {
  it("the chance a top-k hits a set of experts is one minus the hypergeometric miss", () => {
    // 1 - (6/8)(5/7) = 1 - 30/56
    expect(probabilityHit(8, 2, 2)).toBeCloseTo(1 - 30 / 56, 12);
    expect(probabilityHit(8, 8, 2)).toBe(1);
    expect(deepEpBytesPerChannel(1)).toBe(1.03125);
    expect(deepEpBytesPerChannel(2)).toBe(2);
  });

  it("within one machine a rank receives, from all 8 ranks, the tokens that picked one of its 32 experts", () => {
    // P(hit 32 of 256 with top-8) = 1 - Π_{i<8} (224-i)/(256-i) = 0.66183...
    let miss = 1;
    for (let i = 0; i < 8; i++) miss *= (224 - i) / (256 - i);
    const split = normalAllToAllSplit(shape, groupSpan(8, 1, 8));
    expect(1 - miss).toBeCloseTo(0.6618, 4);
    expect(split.scaleUpBytes).toBeCloseTo(8 * 4096 * (1 - miss) * 7168 * 1.03125, 3);
    expect(split.scaleOutBytes).toBe(0);
  });

  it("BF16 combine has no scales; imbalance and expert shards scale the bytes; one GPU per domain uses no NVLink", () => {
    const bf16 = normalAllToAllSplit({ ...shape, elementBytes: 2 }, groupSpan(8, 1, 8));
    const fp8 = normalAllToAllSplit(shape, groupSpan(8, 1, 8));
    expect(bf16.scaleUpBytes / fp8.scaleUpBytes).toBeCloseTo(2 / 1.03125, 12);
    const busy = normalAllToAllSplit({ ...shape, imbalance: 1.5 }, groupSpan(8, 1, 8));
    expect(busy.scaleUpBytes / fp8.scaleUpBytes).toBeCloseTo(1.5, 12);
    // 8 EP ranks x 2 shards on 16 GPUs, two 8-GPU domains of 128 experts each: a token crosses the
    // NIC once if its top-8 hits the other domain's 128, P = 1 - Π_{i<8} (128-i)/(256-i), and
    // reaches both shards there over NVLink: 16 GPUs x P(hit a rank's 32 experts) per GPU.
    let missDomain = 1;
    let missRank = 1;
    for (let i = 0; i < 8; i++) {
      missDomain *= (128 - i) / (256 - i);
      missRank *= (224 - i) / (256 - i);
    }
    const sharded = normalAllToAllSplit({ ...shape, ep: 8, expertTp: 2 }, groupSpan(16, 1, 8));
    expect(1 - missDomain).toBeCloseTo(0.9965, 4);
    expect(sharded.scaleOutBytes).toBeCloseTo(4096 * 7168 * 1.03125 * (1 - missDomain), 3);
    expect(sharded.scaleUpBytes).toBeCloseTo(16 * 4096 * 7168 * 1.03125 * (1 - missRank), 3);
    expect(normalAllToAllSplit(shape, groupSpan(8, 1, 1)).scaleUpBytes).toBe(0);
  });
});

describe("DeepEP normal-mode time", () => {
  const net = { scaleUpBytesPerSec: 100e9, scaleOutBytesPerSec: 25e9, protocols: [] };
  it("is the fixed cost plus the slower tier's transfer", () => {
    // 1 GB over NVLink at 100 GB/s = 10 ms; 0.5 GB over the NIC at 25 GB/s = 20 ms.
    expect(normalAllToAllSec({ scaleUpBytes: 1e9, scaleOutBytes: 0 }, net, 25e-6)).toBeCloseTo(0.010025, 12);
    expect(normalAllToAllSec({ scaleUpBytes: 1e9, scaleOutBytes: 5e8 }, net, 25e-6)).toBeCloseTo(
      0.020025,
      12,
    );
  });
  it("costs nothing when nothing moves (one GPU), and says NaN when a figure is missing", () => {
    expect(normalAllToAllSec({ scaleUpBytes: 0, scaleOutBytes: 0 }, net, 25e-6)).toBe(0);
    const noNic = { ...net, scaleOutBytesPerSec: Number.NaN };
    expect(normalAllToAllSec({ scaleUpBytes: 1e9, scaleOutBytes: 0 }, noNic, 0)).toBeCloseTo(0.01, 12);
    expect(normalAllToAllSec({ scaleUpBytes: 1e9, scaleOutBytes: 1 }, noNic, 0)).toBeNaN();
    expect(normalAllToAllSec({ scaleUpBytes: Number.NaN, scaleOutBytes: 0 }, net, 0)).toBeNaN();
  });
});
