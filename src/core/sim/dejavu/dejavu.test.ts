import { describe, expect, it } from "vitest";
import { pythonFloat } from "../../text/python-float.ts";
import { Mt19937 } from "../mt19937.ts";
import { dejavuStdout, dejavuSummary, dejavuTraceWriter } from "./report.ts";
import { type DejavuTraceEvent, dejavuBaseline, dejavuDisaggregated } from "./simulators.ts";
import { dejavuTokenCounts, parseTokenTrace } from "./trace-input.ts";

describe("MT19937 with NumPy's legacy conventions", () => {
  it("matches np.random.seed(42): first raw output and first double", () => {
    // NumPy 1.24: np.random.seed(42); np.random.randint(0, 2**32, dtype=np.uint64) -> 1608637542,
    // and np.random.seed(42); np.random.random() -> 0.3745401188473625.
    expect(new Mt19937(42).nextUint32()).toBe(1608637542);
    expect(new Mt19937(42).nextDouble()).toBe(0.3745401188473625);
  });
  it("draws exponentials as -ln(1 - u) · scale", () => {
    const u = new Mt19937(42).nextDouble();
    expect(new Mt19937(42).exponential(2)).toBe(-Math.log(1 - u) * 2);
  });
});

describe("pythonFloat (Python's float repr)", () => {
  it.each([
    [55.55555555555556, "55.55555555555556"],
    [0.036, "0.036"],
    [55, "55.0"],
    [1655.46904, "1655.46904"],
    [0.014249999999999999, "0.014249999999999999"],
    [1e-5, "1e-05"],
    [0.0001, "0.0001"],
    [1.5e16, "1.5e+16"],
    [1e16, "1e+16"],
    [123456789012345.6, "123456789012345.6"],
    [-2.5, "-2.5"],
    [0, "0.0"],
  ])("%s -> %s", (x, text) => expect(pythonFloat(x)).toBe(text));
});

describe("DéjàVu trace input", () => {
  it("uses the first 512 entries' generated tokens clamped to [2, 1000]", () => {
    const entries = Array.from({ length: 600 }, (_, i) => ({
      promptTokens: 1,
      outputTokens: i === 0 ? 1 : i === 1 ? 5000 : 7,
    }));
    const tokens = dejavuTokenCounts(entries);
    expect(tokens.length).toBe(512);
    expect([tokens[0], tokens[1], tokens[2]]).toEqual([2, 1000, 7]);
  });
  it.each([
    [{ a: 1 }, ""],
    [[[1, 2], [3]], "entry 1"],
    [[[1, -2]], "entry 0: num_generated_tokens"],
    [[["x", 2]], "entry 0: prompt_size"],
    [[[1, 2.5]], "entry 0: num_generated_tokens"],
  ])("rejects %j naming the entry", (data, where) => {
    const parsed = parseTokenTrace(data);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues[0]?.message).toContain(where);
  });
});

describe("SPEC worked examples (rps 0, tokens [2, 3])", () => {
  const tokens = Int32Array.from([2, 3]);
  it("baseline, N = 2, prompt 10 ms, token 1 ms: ends 33 and 36 ms", () => {
    const result = dejavuBaseline({ tokens, rps: 0, machines: 2, promptMs: 10, tokenMs: 1 });
    expect(Array.from(result.endUs)).toEqual([33000, 36000]);
    expect(dejavuStdout(dejavuSummary(result), "baseline")).toBe(
      "2 2.5\nLAT/TOKEN: median: 0.014249999999999999, max: 0.0165, min: 0.011999999999999999\n" +
        "------------------------------------------------ Early stops is 0\n" +
        "Total time is 0.036 sec, thr is 55.55555555555556 ubatces/sec\n",
    );
  });
  it("DV, A = 1, B = 1, cache 5 ms: ready 15 and 25 ms, ends 17 and 28 ms", () => {
    const result = dejavuDisaggregated({
      tokens,
      rps: 0,
      promptMachines: 1,
      tokenMachines: 1,
      promptMs: 10,
      tokenMs: 1,
      cacheMs: 5,
    });
    expect(Array.from(result.endUs)).toEqual([17000, 28000]);
    expect(dejavuStdout(dejavuSummary(result), "dv")).toBe(
      "trace_list:  2 2.5\nLAT/TOKEN: median: 0.008916666666666666, max: 0.009333333333333334, min: 0.0085\n" +
        "Total time is 0.028 sec, thr is 71.42857142857143 ubatces/sec\n",
    );
  });
});

describe("DéjàVu Chrome trace", () => {
  const collect = (run: (onEvent: (e: DejavuTraceEvent) => void) => void, labels: string[]) => {
    const chunks: string[] = [];
    const writer = dejavuTraceWriter(labels, (c) => chunks.push(c));
    run((e) => writer.event(e));
    writer.end();
    return chunks.join("");
  };
  it("baseline: N + Σ N·(1 + T) events, Python json.dump separators, simulation order", () => {
    const tokens = Int32Array.from([2, 3]);
    const text = collect(
      (onEvent) => dejavuBaseline({ tokens, rps: 0, machines: 2, promptMs: 10, tokenMs: 1, onEvent }),
      ["Stage 0", "Stage 1"],
    );
    const events = JSON.parse(text) as { name: string; ts: number; pid: number }[];
    expect(events).toHaveLength(2 + 2 * (1 + 2) + 2 * (1 + 3));
    expect(
      text.startsWith('[{"name": "process_name", "ph": "M", "pid": 0, "args": {"name": "Stage 0"}}, '),
    ).toBe(true);
    expect(text).toContain(
      '{"pid": 0, "ts": 0.0, "dur": 10000.0, "ph": "X", "name": "p0", "cname": "thread_state_uninterruptible"}',
    );
    expect(text).toContain('"name": "t1,2", "cname": "thread_state_iowait"}]');
  });
  it("DV: prompt events first for every prompt stage (cache time as gaps), then token events", () => {
    const tokens = Int32Array.from([2, 3]);
    const text = collect(
      (onEvent) =>
        dejavuDisaggregated({
          tokens,
          rps: 0,
          promptMachines: 2,
          tokenMachines: 1,
          promptMs: 10,
          tokenMs: 1,
          cacheMs: 5,
          onEvent,
        }),
      ["Prompt Pipeline, Stage 0", "Prompt Pipeline, Stage 1", "Token Pipeline, Stage 0"],
    );
    const events = JSON.parse(text) as { name: string; ts: number; pid: number; ph: string }[];
    expect(events).toHaveLength(3 + 2 * 2 + 2 + 3);
    const work = events.filter((e) => e.ph === "X");
    expect(work.slice(0, 4).map((e) => [e.name, e.pid, e.ts])).toEqual([
      ["p0", 0, 0],
      ["p0", 1, 15000],
      ["p1", 0, 10000],
      ["p1", 1, 25000],
    ]);
    expect(work[4]).toMatchObject({ name: "t0,0", pid: 2 });
  });
});

describe("the cyclic pipeline's invariants", () => {
  it("stage steps = Σ N·(1 + T) and completions never precede arrivals plus their own work", () => {
    const random = new Mt19937(7);
    for (let trial = 0; trial < 30; trial++) {
      const machines = 1 + Math.floor(random.nextDouble() * 6);
      const count = machines + Math.floor(random.nextDouble() * 40);
      const tokens = Int32Array.from({ length: count }, () => 2 + Math.floor(random.nextDouble() * 50));
      const rps = random.nextDouble() * 3;
      const result = dejavuBaseline({ tokens, rps, machines, promptMs: 5, tokenMs: 0.5 });
      const passes = tokens.reduce((sum, t) => sum + machines * (1 + t), 0);
      expect(result.stageSteps).toBe(passes);
      for (let i = 0; i < count; i++) {
        const ownWorkUs = machines * 5000 + machines * (tokens[i] as number) * 500;
        expect(result.endUs[i]).toBeGreaterThanOrEqual((result.arrivalUs[i] as number) + ownWorkUs - 1e-6);
      }
      // A stage never does more than one pass at a time: the makespan is at least the busiest stage's work.
      const perStageUs = tokens.reduce((sum, t) => sum + 5000 + t * 500, 0);
      expect(Math.max(...result.endUs)).toBeGreaterThanOrEqual(perStageUs - 1e-6);
    }
  });
});
