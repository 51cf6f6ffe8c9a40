import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TraceSink } from "../../trace/sink.ts";
import { constantStepTime } from "../step-time.ts";
import { simulateServing } from "./engine.ts";
import { summarizeServing, tpotSec } from "./metrics.ts";
import type { PoolConfig, SchedulerKind, ServeConfig } from "./types.ts";

const requests = (rows: [arrivalMs: number, prompt: number, output: number][]) => ({
  arrivalSec: Float64Array.from(rows, (r) => r[0] / 1000),
  promptTokens: Int32Array.from(rows, (r) => r[1]),
  outputTokens: Int32Array.from(rows, (r) => r[2]),
});

const pool = (
  overrides: Partial<PoolConfig> & {
    kind?: SchedulerKind;
    maxSeqs?: number;
    maxBatchedTokens?: number;
    pp?: number;
  } = {},
): PoolConfig => ({
  name: "replicas",
  role: "both",
  replicas: 1,
  gpusPerReplica: 1,
  stepTime: constantStepTime(10, 2, overrides.pp ?? 1),
  kvCapacityTokens: 100_000,
  scheduler: {
    kind: overrides.kind ?? "continuous",
    maxBatchedTokens: overrides.maxBatchedTokens ?? 8192,
    maxSeqs: overrides.maxSeqs ?? 256,
  },
  ...overrides,
});

const ms = (values: Float64Array) => Array.from(values, (v) => Math.round(v * 1e9) / 1e6);

describe("serving simulation, hand-derived timelines (constant iterations: prefill 10 ms, decode 2 ms)", () => {
  it("one request: first token after the prefill, then one token per decode iteration", () => {
    const result = simulateServing({
      requests: requests([[0, 100, 5]]),
      pools: [pool()],
      router: "round-robin",
    });
    expect(ms(result.firstTokenSec)).toEqual([10]);
    expect(ms(result.completionSec)).toEqual([18]);
    expect(tpotSec(result, 0) * 1000).toBeCloseTo(2, 12);
  });

  it("continuous batching puts a new prompt ahead of running decodes (vLLM's prefill-first iterations)", () => {
    // A decodes 10-12; B (arrived at 11) is prefilled 12-22 while A waits; then both decode.
    const result = simulateServing({
      requests: requests([
        [0, 100, 5],
        [11, 50, 3],
      ]),
      pools: [pool()],
      router: "round-robin",
    });
    expect(ms(result.firstTokenSec)).toEqual([10, 22]);
    expect(ms(result.completionSec)).toEqual([28, 26]);
    expect(result.interTokenSec.max * 1000).toBeCloseTo(12, 9);
  });

  it("max sequences holds later requests in the queue", () => {
    const result = simulateServing({
      requests: requests([
        [0, 10, 5],
        [0, 10, 5],
      ]),
      pools: [pool({ maxSeqs: 1 })],
      router: "round-robin",
    });
    expect(ms(result.firstTokenSec)).toEqual([10, 28]);
    expect(ms(result.firstScheduledSec)).toEqual([0, 18]);
    expect(ms(result.completionSec)).toEqual([18, 36]);
  });

  it("chunked prefill splits a long prompt over iterations that also decode", () => {
    // Budget 64: B's 100-token prompt goes 63 + 37 alongside A's decode (iterations of 12 ms).
    const result = simulateServing({
      requests: requests([
        [0, 10, 4],
        [11, 100, 2],
      ]),
      pools: [pool({ kind: "chunked", maxBatchedTokens: 64 })],
      router: "round-robin",
    });
    // A: prefill 0-10, decode 10-12, then mixed iterations 12-24 and 24-36 (A's tokens 3 and 4).
    expect(ms(result.completionSec)[0]).toBe(36);
    // B: chunks in 12-24 and 24-36 -> first token at 36, then a decode 36-38.
    expect(ms(result.firstTokenSec)[1]).toBe(36);
    expect(ms(result.completionSec)[1]).toBe(38);
  });

  it("static batching runs a batch to its longest request and only then admits the next", () => {
    const result = simulateServing({
      requests: requests([
        [0, 10, 2],
        [0, 10, 5],
        [1, 10, 2],
      ]),
      pools: [pool({ kind: "static", maxSeqs: 2 })],
      router: "round-robin",
    });
    expect(ms(result.completionSec)).toEqual([12, 18, 30]);
    expect(ms(result.firstTokenSec)[2]).toBe(28);
  });

  it("pipeline parallelism: micro-batch slots share the stages in cyclic order", () => {
    // pp 2: each stage takes half of an iteration; slot 1 starts its stage 0 when slot 0 leaves it.
    const result = simulateServing({
      requests: requests([
        [0, 10, 1],
        [0, 10, 1],
      ]),
      pools: [pool({ pp: 2, maxSeqs: 1 })],
      router: "round-robin",
    });
    expect(ms(result.completionSec)).toEqual([10, 15]);
  });

  it("disaggregation: the KV cache moves over the link (bytes / bandwidth + latency) before decoding", () => {
    const config: ServeConfig = {
      requests: requests([[0, 100, 5]]),
      pools: [pool({ name: "prefill", role: "prefill" }), pool({ name: "decode", role: "decode" })],
      router: "round-robin",
      kvTransfer: { bytesPerToken: 1000, bandwidthBytesPerSec: 1e6, latencySec: 0.001 },
    };
    const result = simulateServing(config);
    // Prefill 0-10 ms (first token), transfer 100 ms + 1 ms, decodes at 113, 115, 117, 119.
    expect(ms(result.firstTokenSec)).toEqual([10]);
    expect(ms(result.completionSec)).toEqual([119]);
    expect(Array.from(result.decodeReplica)).toEqual([0]);
  });

  it("recompute preemption when blocks run out: the newest request gives its blocks back and is recomputed", () => {
    // 3 blocks of 16 tokens; two 16-token prompts each need a second block after their first token.
    const result = simulateServing({
      requests: requests([
        [0, 16, 20],
        [0, 16, 20],
      ]),
      pools: [pool({ kvCapacityTokens: 48 })],
      router: "round-robin",
    });
    expect(result.pools[0]?.preemptions).toBeGreaterThan(0);
    expect(result.preemptions[1]).toBeGreaterThan(0);
    expect(result.pools[0]?.peakBlocksUsed).toBeLessThanOrEqual(3);
    expect(Array.from(result.completionSec).every((t) => t > 0)).toBe(true);
  });

  it("disaggregation is pull-based: a KV cache moves only once the decode replica has reserved blocks for it", () => {
    // Decode KV: 4 blocks. Both 48-token prompts are prefilled 0-10 ms; request 0 reserves 3 blocks and
    // moves 10-58 ms (48 kB at 1 MB/s), decodes 15 tokens 58-88 ms; only then request 1 reserves,
    // moves 88-136 ms and decodes until 166 ms.
    const result = simulateServing({
      requests: requests([
        [0, 48, 16],
        [0, 48, 16],
      ]),
      pools: [
        pool({ name: "prefill", role: "prefill" }),
        pool({ name: "decode", role: "decode", kvCapacityTokens: 64 }),
      ],
      router: "round-robin",
      kvTransfer: { bytesPerToken: 1000, bandwidthBytesPerSec: 1e6, latencySec: 0 },
    });
    expect(ms(result.firstTokenSec)).toEqual([10, 10]);
    expect(ms(result.completionSec)).toEqual([88, 166]);
    expect(result.pools[1]?.peakBlocksUsed).toBe(4);
  });

  it("chunked prefill under tight memory with pipeline slots reserves whole prompts and never stalls", () => {
    // Two 48-token prompts, 4 blocks, budget 32, pp 2 with one sequence per slot: the second waits for
    // the first's blocks instead of both holding half a prompt.
    const result = simulateServing({
      requests: requests([
        [0, 48, 10],
        [0, 48, 10],
      ]),
      pools: [pool({ kind: "chunked", pp: 2, maxSeqs: 1, maxBatchedTokens: 32, kvCapacityTokens: 64 })],
      router: "round-robin",
    });
    expect(Array.from(result.completionSec).every((t) => t > 0)).toBe(true);
    expect(result.firstScheduledSec[1]).toBeGreaterThanOrEqual(result.completionSec[0] as number);
  });

  it("routes round-robin and to the replica with the fewest outstanding requests", () => {
    const rows: [number, number, number][] = [
      [0, 10, 50],
      [0, 10, 1],
      [1, 10, 5],
      [30, 10, 5],
    ];
    const roundRobin = simulateServing({
      requests: requests(rows),
      pools: [pool({ replicas: 2 })],
      router: "round-robin",
    });
    expect(Array.from(roundRobin.replica)).toEqual([0, 1, 0, 1]);
    const least = simulateServing({
      requests: requests(rows),
      pools: [pool({ replicas: 2 })],
      router: "least-outstanding",
    });
    // At 1 ms both replicas hold one request (ties go to the lower index); at 30 ms replica 1 is idle.
    expect(Array.from(least.replica)).toEqual([0, 1, 0, 1]);
    const busy = simulateServing({
      requests: requests([
        [0, 10, 50],
        [0, 10, 50],
        [1, 10, 5],
        [2, 10, 5],
      ]),
      pools: [pool({ replicas: 2 })],
      router: "least-outstanding",
    });
    expect(Array.from(busy.replica)).toEqual([0, 1, 0, 1]);
  });

  it("rejects a request longer than a replica's KV cache, naming it", () => {
    expect(() =>
      simulateServing({
        requests: requests([
          [0, 10, 5],
          [0, 4000, 200],
        ]),
        pools: [pool({ kvCapacityTokens: 1024 })],
        router: "round-robin",
      }),
    ).toThrow(/request 1 \(4000 prompt \+ 200 output tokens\) does not fit/);
  });
});

describe("request validation", () => {
  it.each([
    [
      [
        [5, 10, 3],
        [0, 10, 3],
      ],
      /request 1: requests must be sorted by arrival time/,
    ],
    [[[0, 10, 0]], /request 0: needs at least 1 prompt and 1 output token/],
    [[[-1, 10, 3]], /request 0: arrival -0.001 must be a finite time >= 0/],
  ] as [[number, number, number][], RegExp][])("rejects %j", (rows, message) => {
    expect(() =>
      simulateServing({ requests: requests(rows), pools: [pool()], router: "round-robin" }),
    ).toThrow(message);
  });
  it("rejects a pool without replicas", () => {
    expect(() =>
      simulateServing({
        requests: requests([[0, 1, 1]]),
        pools: [pool({ replicas: 0 })],
        router: "round-robin",
      }),
    ).toThrow(/at least 1 replica/);
  });
});

describe("summary metrics", () => {
  it("TPOT, throughput and goodput from hand-derived completions", () => {
    const result = simulateServing({
      requests: requests([
        [0, 100, 5],
        [11, 50, 3],
      ]),
      pools: [pool()],
      router: "round-robin",
    });
    const summary = summarizeServing(result, { ttftMs: 10.5 });
    // Completions 28 and 26 ms: duration 28 ms; 8 output tokens; request 1 misses the TTFT target (11 ms).
    expect(summary.durationSec).toBeCloseTo(0.028, 12);
    expect(summary.outputTokensPerSec).toBeCloseTo(8 / 0.028, 9);
    expect(summary.goodput.fraction).toBe(0.5);
    // TPOT: (28 - 10) / 4 = 4.5 and (26 - 22) / 2 = 2 -> p50 3.25 (linear interpolation).
    expect(summary.tpot.p50Ms).toBeCloseTo(3.25, 9);
    expect(summary.ttft.maxMs).toBeCloseTo(11, 9);
  });
});

/** A trace sink that checks slices on each (process, thread) never overlap or go back in time. */
function orderingSink(): TraceSink & { violations: string[]; slices: number } {
  const lastEnd = new Map<string, number>();
  const sink = {
    violations: [] as string[],
    slices: 0,
    processName: () => {},
    threadName: () => {},
    slice: (pid: number, tid: number, name: string, ts: number, dur: number) => {
      sink.slices++;
      const key = `${pid}/${tid}`;
      if (dur < 0 || ts < (lastEnd.get(key) ?? 0) - 1e-6) sink.violations.push(`${key} ${name} at ${ts}`);
      lastEnd.set(key, ts + dur);
    },
    asyncBegin: () => {},
    asyncEnd: () => {},
    flowStart: () => {},
    flowEnd: () => {},
    counter: () => {},
  };
  return sink;
}

describe("serving invariants (property tests)", () => {
  const scenario = fc.record({
    kind: fc.constantFrom<SchedulerKind>("continuous", "chunked", "static"),
    disaggregated: fc.boolean(),
    replicas: fc.integer({ min: 1, max: 3 }),
    pp: fc.integer({ min: 1, max: 3 }),
    maxSeqs: fc.integer({ min: 1, max: 6 }),
    maxBatchedTokens: fc.integer({ min: 16, max: 512 }),
    kvBlocks: fc.integer({ min: 1, max: 40 }),
    prefillMs: fc.double({ min: 0.5, max: 20, noNaN: true }),
    decodeMs: fc.double({ min: 0.1, max: 5, noNaN: true }),
    rows: fc.array(
      fc.tuple(
        fc.double({ min: 0, max: 200, noNaN: true }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
      ),
      { minLength: 1, maxLength: 40 },
    ),
  });

  // The engine itself throws if a request is left unfinished or a KV block is still held at the end.
  it("every request completes exactly once, time never runs backwards, KV never exceeds capacity, throughput stays under the step-time bound", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const rows = [...s.rows].sort((a, b) => a[0] - b[0]);
        // As tight as the longest request allows: KV capacity is often exactly one request.
        const longestBlocks = Math.max(
          ...rows.map(([, prompt, output]) => Math.ceil((prompt + output) / 16)),
        );
        const kvTokens = Math.max(s.kvBlocks, longestBlocks) * 16;
        const make = (name: string, role: PoolConfig["role"]): PoolConfig => ({
          name,
          role,
          replicas: s.replicas,
          gpusPerReplica: s.pp,
          stepTime: constantStepTime(s.prefillMs, s.decodeMs, s.pp),
          kvCapacityTokens: kvTokens,
          scheduler: { kind: s.kind, maxBatchedTokens: s.maxBatchedTokens, maxSeqs: s.maxSeqs },
        });
        const sink = orderingSink();
        const result = simulateServing({
          requests: requests(rows),
          pools: s.disaggregated
            ? [make("prefill", "prefill"), make("decode", "decode")]
            : [make("replicas", "both")],
          router: "least-outstanding",
          ...(s.disaggregated
            ? { kvTransfer: { bytesPerToken: 1000, bandwidthBytesPerSec: 1e8, latencySec: 0.0001 } }
            : {}),
          trace: sink,
        });
        expect(sink.violations).toEqual([]);
        let outputTokens = 0;
        let makespan = 0;
        for (let r = 0; r < rows.length; r++) {
          const arrival = result.arrivalSec[r] as number;
          expect(result.firstScheduledSec[r]).toBeGreaterThanOrEqual(arrival);
          expect(result.firstTokenSec[r]).toBeGreaterThan(arrival);
          expect(result.completionSec[r]).toBeGreaterThanOrEqual(result.firstTokenSec[r] as number);
          outputTokens += result.outputTokens[r] as number;
          makespan = Math.max(makespan, result.completionSec[r] as number);
        }
        // Exactly once: the simulation would throw if one were missing; tokens emitted after the first are counted once each.
        expect(result.interTokenSec.count).toBeLessThanOrEqual(
          outputTokens - rows.length + result.preemptions.reduce((a, b) => a + b, 0),
        );
        for (const p of result.pools) expect(p.peakBlocksUsed).toBeLessThanOrEqual(p.blocksPerReplica);
        // Each iteration yields at most maxSeqs tokens and holds stage 0 for at least the shortest stage time.
        const shortestStageSec = Math.min(s.prefillMs, s.decodeMs) / s.pp / 1000;
        const iterationsBound = result.pools.reduce(
          (sum, p) => sum + p.replicas * (Math.floor(makespan / shortestStageSec) + 1),
          0,
        );
        expect(outputTokens).toBeLessThanOrEqual(iterationsBound * s.maxSeqs);
        for (const p of result.pools)
          for (const busy of p.busySec) expect(busy).toBeLessThanOrEqual(makespan + 1e-9);
      }),
      { numRuns: 1000, seed: 42 },
    );
  });

  it("same inputs give identical results", () => {
    const config: ServeConfig = {
      requests: requests(
        Array.from({ length: 200 }, (_, i): [number, number, number] => [
          i * 3,
          10 + ((i * 37) % 200),
          1 + ((i * 53) % 90),
        ]),
      ),
      pools: [pool({ replicas: 3, kind: "chunked", maxBatchedTokens: 256, kvCapacityTokens: 2048 })],
      router: "least-outstanding",
    };
    const a = summarizeServing(simulateServing(config));
    const b = summarizeServing(simulateServing(config));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
