import { describe, expect, it } from "vitest";
import { deepEpBytesPerChannel, probabilityHit } from "../collectives/deepep.ts";
import { deepEpCountedBytes } from "./deepep.ts";

describe("DeepEP's counted bytes", () => {
  it("counts each token once per destination node across nodes (own node included)", () => {
    // 4 nodes of 64 experts each (256, top-8): P(node) = 1 - Π_{i<8} (192-i)/(256-i).
    const p = probabilityHit(256, 64, 8);
    expect(p).toBeCloseTo(0.9036, 3);
    const bytes = deepEpCountedBytes({
      tokens: 4096,
      hidden: 7168,
      topK: 8,
      experts: 256,
      ranks: 32,
      ranksPerNode: 8,
      bytesPerChannel: deepEpBytesPerChannel(1),
    });
    expect(bytes).toBeCloseTo(4096 * 4 * p * 7168 * (1 + 4 / 128), 0);
  });
  it("within a node counts the tokens a rank receives from every rank (itself included)", () => {
    const p = probabilityHit(256, 32, 8);
    const bytes = deepEpCountedBytes({
      tokens: 4096,
      hidden: 7168,
      topK: 8,
      experts: 256,
      ranks: 8,
      ranksPerNode: 8,
      bytesPerChannel: 2,
    });
    expect(bytes).toBeCloseTo(8 * 4096 * p * 7168 * 2, 0);
  });
});
