import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalUnit,
  METRIC_ALIASES,
  resolveMetric,
  servingLatencyOf,
  unitFactor,
  VALIDATION_METRICS,
} from "./metrics.ts";

describe("validation metrics", () => {
  it("converts units to the metric's canonical one, never across quantities", () => {
    expect(unitFactor("ttft_p50", "s")).toEqual({ ok: true, factor: 1e3 });
    expect(unitFactor("kernel_time", "µs")).toEqual({ ok: true, factor: 1e-3 });
    expect(unitFactor("requests_per_s", "requests/s")).toEqual({ ok: true, factor: 1 });
    expect(unitFactor("output_tokens_per_s_per_gpu", "tokens/s")).toEqual({
      ok: false,
      allowed: ["tokens/s/gpu"],
    });
    expect(canonicalUnit("tokens_per_s_per_node")).toBe("tokens/s/node");
    expect(canonicalUnit("requests_per_s")).toBe("req/s");
    expect(canonicalUnit("e2e_p99")).toBe("ms");
  });

  it("names every serving latency by latency and statistic", () => {
    expect(servingLatencyOf("ttft_p50")).toEqual({ latency: "ttft", statistic: "p50" });
    expect(servingLatencyOf("queue_mean")).toEqual({ latency: "queue", statistic: "mean" });
    expect(servingLatencyOf("kernel_time")).toBeNull();
    expect(servingLatencyOf("ttft_p95")).toBeNull();
    for (const latency of ["ttft", "tpot", "itl", "e2e", "queue"])
      for (const statistic of ["mean", "p50", "p90", "p99"])
        expect(VALIDATION_METRICS[`${latency}_${statistic}`]?.quantity).toBe("time");
  });

  it("resolves unit-named aliases to their metric and flags a contradicting unit", () => {
    expect(resolveMetric("kernel_us", "µs")).toEqual({ metric: "kernel_time", unitConflict: null });
    expect(resolveMetric("ttft_ms_p50", "ms")).toEqual({ metric: "ttft_p50", unitConflict: null });
    expect(resolveMetric("busbw_GBps", "TB/s")).toEqual({ metric: "busbw", unitConflict: "GB/s" });
    expect(resolveMetric("tflops", "TFLOPS")).toEqual({ metric: "tflops", unitConflict: null });
    expect(resolveMetric("speed", "x")).toEqual({ metric: null, unitConflict: null });
  });

  it("knows no metric or unit named after an Object.prototype member", () => {
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
      expect(resolveMetric(name, "ms")).toEqual({ metric: null, unitConflict: null });
      expect(unitFactor(name, "ms")).toEqual({ ok: false, allowed: [] });
      expect(unitFactor("kernel_time", name)).toMatchObject({ ok: false });
    }
  });

  it("every alias names a metric whose units include the alias's own (property)", () => {
    const units = fc.oneof(fc.string(), fc.constantFrom("us", "µs", "ms", "s", "GB/s", "TB/s"));
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(METRIC_ALIASES)), units, (alias, unit) => {
        const { metric, unit: own } = METRIC_ALIASES[alias] as { metric: string; unit: string };
        expect(metric in VALIDATION_METRICS).toBe(true);
        expect(unitFactor(metric, own).ok).toBe(true);
        const resolved = resolveMetric(alias, unit);
        expect(resolved.metric).toBe(metric);
        // The same unit, or µs written for us, is no conflict; anything else names the alias's unit.
        const same = unit === own || (own === "us" && unit === "µs");
        expect(resolved.unitConflict).toBe(same ? null : own);
      }),
      { numRuns: 300 },
    );
  });
});
