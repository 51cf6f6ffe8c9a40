import { describe, expect, it } from "vitest";
import { issuesOf } from "../../test/helpers/issues.ts";
import { completeShardSet, type ShardFile } from "./plan-files.ts";

const shard = (index: number, shards: number) =>
  ({ specHash: "h", shard: index, shards, summary: { groups: [], counts: {} } }) as unknown as ShardFile;

describe("completeShardSet", () => {
  it("names the first missing shards of a huge shard count without listing them all", () => {
    const issues = issuesOf(() =>
      completeShardSet([
        { path: "a.json", shard: shard(0, 1_000_000_000) },
        { path: "b.json", shard: shard(2, 1_000_000_000) },
      ]),
    );
    expect(issues[0]?.message).toBe(
      "999999998 of 1000000000 shards missing: 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, ...",
    );
  });
  it("returns a complete set in order", () => {
    const set = completeShardSet([
      { path: "b.json", shard: shard(1, 2) },
      { path: "a.json", shard: shard(0, 2) },
    ]);
    expect(set.map((s) => s.shard)).toEqual([0, 1]);
  });
});
