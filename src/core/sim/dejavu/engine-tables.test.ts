import { describe, expect, it } from "vitest";
import { hardware, model } from "../../../../test/helpers/fixtures.ts";
import { engineTables } from "./engine-tables.ts";

describe("planner tables from the engine (OPT-66B on machines of 4 H100s)", () => {
  const tables = engineTables({
    model: model("facebook/opt-66b"),
    hardware: hardware("H100"),
    gpusPerMachine: 4,
    batchSizes: [8, 64],
    meanGeneratedTokens: 200,
    maxStages: 4,
  });

  it("streams a prompt stage's KV share over the machine's NICs: 2·9216·2 B·64 layers per token", () => {
    // OPT-66B: 2 (K, V) x 9216 x 2 bytes x 64 layers = 2,359,296 B per token (DéjàVu's table: 0.00236 GB);
    // 8 prompts x 1000 tokens over 4 x 50 GB/s, on one prompt stage: 94.37184 ms; on 2 stages half.
    expect(tables.cacheMs[0]?.[0]).toBeCloseTo(((2_359_296 * 8 * 1000) / 200e9) * 1000, 9);
    expect(tables.cacheMs[0]?.[1]).toBeCloseTo(((2_359_296 * 8 * 1000) / 2 / 200e9) * 1000, 9);
  });

  it("deeper pipelines give shorter stages, and more sequences longer ones", () => {
    const [prompt1, token1] = tables.stageMs[0]?.[0] ?? [];
    const [prompt2, token2] = tables.stageMs[0]?.[1] ?? [];
    expect(prompt2).toBeLessThan(prompt1 as number);
    expect(token2).toBeLessThan(token1 as number);
    expect(tables.stageMs[1]?.[0]?.[0]).toBeGreaterThan(prompt1 as number);
  });

  it("memory fit follows the memory model: a stage keeps `stages` micro-batches, so KV per GPU does not shrink with depth", () => {
    // 64 x 2000 tokens x 2.36 MB = 302 GB of KV over a stage's 4 GPUs: never fits; 8 sequences always do.
    expect(tables.fitsFull[0]).toEqual([true, true, true, true]);
    expect(tables.fitsFull[1]).toEqual([false, false, false, false]);
    // The prompt side holds 1000 tokens per sequence, so it fits wherever the full length does.
    for (let i = 0; i < 2; i++)
      for (let s = 0; s < 4; s++) if (tables.fitsFull[i]?.[s]) expect(tables.fitsPrompt[i]?.[s]).toBe(true);
  });
});
