import { describe, expect, it } from "vitest";
import { dejavuTraceWriter } from "../sim/dejavu/report.ts";
import { dejavuBaseline } from "../sim/dejavu/simulators.ts";
import { perfettoJsonSink } from "../trace/perfetto.ts";
import { timelineOf, timelineSpec } from "./trace-timeline.ts";

describe("trace timeline", () => {
  it("reads llmsim's traces: lanes in (pid, tid) order named process / thread, slices and flows in the window", () => {
    const chunks: string[] = [];
    const sink = perfettoJsonSink((c) => chunks.push(c));
    sink.processName(2, "decode replica 0");
    sink.threadName(2, 1, "iterations");
    sink.processName(1, "prefill replica 0");
    sink.threadName(1, 1, "iterations");
    sink.slice(2, 1, "decode", 12_000, 2_000, {});
    sink.slice(1, 1, "prefill", 0, 10_000, {});
    sink.flowStart(1, 1, 7, 10_000);
    sink.flowEnd(2, 1, 7, 11_000);
    sink.slice(1, 1, "prefill", 50_000, 10_000, {});
    sink.end();
    const timeline = timelineOf(JSON.parse(chunks.join("")), 0, 20);
    expect(timeline.lanes).toEqual(["prefill replica 0 / iterations", "decode replica 0 / iterations"]);
    expect(timeline.slices.map((s) => [s.kind, s.startMs, s.endMs])).toEqual([
      ["decode", 12, 14],
      ["prefill", 0, 10],
    ]);
    expect(timeline.flows).toEqual([
      {
        fromLane: "prefill replica 0 / iterations",
        fromMs: 10,
        toLane: "decode replica 0 / iterations",
        toMs: 11,
      },
    ]);
    const spec = timelineSpec(timeline) as { layer: { data: { values: unknown[] } }[] };
    expect(spec.layer[0]?.data.values).toHaveLength(2);
  });

  it("reads DéjàVu's bare event arrays (prompt and token passes as kinds p and t)", () => {
    const chunks: string[] = [];
    const writer = dejavuTraceWriter(["Stage 0", "Stage 1"], (c) => chunks.push(c));
    dejavuBaseline({
      tokens: Int32Array.from([2, 3]),
      rps: 0,
      machines: 2,
      promptMs: 10,
      tokenMs: 1,
      onEvent: (e) => writer.event(e),
    });
    writer.end();
    const timeline = timelineOf(JSON.parse(chunks.join("")));
    expect(timeline.lanes).toEqual(["Stage 0", "Stage 1"]);
    expect(new Set(timeline.slices.map((s) => s.kind))).toEqual(new Set(["p", "t"]));
    expect(timeline.slices).toHaveLength(2 * (1 + 2) + 2 * (1 + 3));
  });

  it("rejects what is not a trace, and windows too large to draw", () => {
    expect(() => timelineOf({ events: [] })).toThrow(/traceEvents/);
    const many = Array.from({ length: 30 }, (_, i) => ({ ph: "X", pid: 0, ts: i, dur: 1, name: "x" }));
    expect(() => timelineOf(many, 0, Number.POSITIVE_INFINITY, 10)).toThrow(/more than 10 slices/);
  });
});
