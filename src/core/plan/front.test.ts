import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FrontPoint, ParetoFront, TopK } from "./front.ts";

/** Brute force: points no other dominates; of identical points the lowest index. */
function bruteFront(points: readonly FrontPoint[]): FrontPoint[] {
  return points
    .filter(
      (p) =>
        !points.some(
          (q) =>
            q !== p &&
            q.tokensPerSecPerUser >= p.tokensPerSecPerUser &&
            q.tokensPerSecPerGpu >= p.tokensPerSecPerGpu &&
            (q.tokensPerSecPerUser > p.tokensPerSecPerUser ||
              q.tokensPerSecPerGpu > p.tokensPerSecPerGpu ||
              q.index < p.index),
        ),
    )
    .sort((a, b) => a.tokensPerSecPerUser - b.tokensPerSecPerUser);
}

// Small integer coordinates so that ties (equal x, equal y, identical points) are common.
const points = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 })), { maxLength: 60 })
  .map((pairs) => pairs.map(([x, y], index) => ({ index, tokensPerSecPerUser: x, tokensPerSecPerGpu: y })));

describe("ParetoFront", () => {
  it("keeps exactly the non-dominated points, whatever the insertion order", () => {
    fc.assert(
      fc.property(points, fc.integer(), (list, seed) => {
        const shuffled = [...list].sort(
          (a, b) => ((a.index * 7919 + seed) % 101) - ((b.index * 7919 + seed) % 101),
        );
        const front = new ParetoFront(shuffled).points;
        expect(front).toEqual(bruteFront(list));
        for (let i = 1; i < front.length; i++) {
          expect((front[i] as FrontPoint).tokensPerSecPerUser).toBeGreaterThan(
            (front[i - 1] as FrontPoint).tokensPerSecPerUser,
          );
          expect((front[i] as FrontPoint).tokensPerSecPerGpu).toBeLessThan(
            (front[i - 1] as FrontPoint).tokensPerSecPerGpu,
          );
        }
      }),
    );
  });

  it("merges exactly: front(A ∪ B) = front(front(A) ∪ front(B))", () => {
    fc.assert(
      fc.property(points, fc.integer({ min: 0, max: 60 }), (list, cut) => {
        const a = new ParetoFront(list.slice(0, cut)).points;
        const b = new ParetoFront(list.slice(cut)).points;
        expect(new ParetoFront([...b, ...a]).points).toEqual(new ParetoFront(list).points);
      }),
    );
  });

  it("admits agrees with add", () => {
    fc.assert(
      fc.property(points, (list) => {
        const front = new ParetoFront<FrontPoint>();
        for (const p of list) {
          const admitted = front.admits(p.tokensPerSecPerUser, p.tokensPerSecPerGpu, p.index);
          expect(front.add(p)).toBe(admitted);
        }
      }),
    );
  });

  it("ignores points with a non-finite figure", () => {
    const front = new ParetoFront([{ index: 0, tokensPerSecPerUser: Number.NaN, tokensPerSecPerGpu: 5 }]);
    expect(front.points).toEqual([]);
  });
});

describe("TopK", () => {
  it("equals sorting by rank then index and taking the first K, in any order and split", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 50 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 50 }),
        (ranks, k, cut) => {
          const items = ranks.map((rank, index) => ({ index, rank }));
          const expected = [...items].sort((a, b) => a.rank - b.rank || a.index - b.index).slice(0, k);
          const whole = new TopK(k, (i: { rank: number }) => i.rank, [...items].reverse()).items;
          expect(whole).toEqual(expected);
          const a = new TopK(k, (i: { rank: number }) => i.rank, items.slice(0, cut)).items;
          const b = new TopK(k, (i: { rank: number }) => i.rank, items.slice(cut)).items;
          expect(new TopK(k, (i: { rank: number }) => i.rank, [...b, ...a]).items).toEqual(expected);
        },
      ),
    );
  });

  it("never takes a NaN rank", () => {
    expect(new TopK(3, (i: { rank: number }) => i.rank, [{ index: 0, rank: Number.NaN }]).items).toEqual([]);
  });
});
