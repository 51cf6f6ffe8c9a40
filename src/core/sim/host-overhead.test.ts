import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../issues.ts";
import {
  constantHostOverhead,
  type HostOverheadCurve,
  hostOverheadCurveFor,
  hostOverheadMs,
  withHostOverhead,
} from "./host-overhead.ts";
import { simulateServing } from "./serve/engine.ts";
import { constantStepTime } from "./step-time.ts";

const curve: HostOverheadCurve = {
  batchSeqs: Float64Array.of(8, 16, 64),
  ms: Float64Array.of(1, 2, 8),
  label: "test",
};

describe("host overhead per iteration", () => {
  it("interpolates linearly between measured batch sizes and stays flat beyond them", () => {
    expect(hostOverheadMs(curve, 8)).toBe(1);
    expect(hostOverheadMs(curve, 12)).toBeCloseTo(1.5, 12); // halfway from 8 to 16
    expect(hostOverheadMs(curve, 40)).toBeCloseTo(5, 12); // 2 + (40-16)/(64-16)·6
    expect(hostOverheadMs(curve, 1)).toBe(1);
    expect(hostOverheadMs(curve, 500)).toBe(8);
    expect(hostOverheadMs(constantHostOverhead(1.5), 77)).toBe(1.5);
  });

  it("stays within the neighbouring measurements (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1000, noNaN: true }), (seqs) => {
        const ms = hostOverheadMs(curve, seqs);
        return ms >= 1 && ms <= 8;
      }),
    );
  });

  it("adds to every pipeline stage of an iteration with work, not to an idle one", () => {
    const stepTime = withHostOverhead(constantStepTime(10, 2, 2), curve);
    // Prefill 10 ms + decode 2 ms split over 2 stages = 6 ms each, plus the overhead at 16 sequences (2 ms).
    expect(Array.from(stepTime.stageMs(100, 4, 12, 1200))).toEqual([8, 8]);
    expect(Array.from(stepTime.stageMs(0, 0, 0, 0))).toEqual([0, 0]);
  });

  it("lengthens a served request by the overhead of each of its iterations", () => {
    // One request, prompt 100, 5 output tokens: 1 prefill iteration (10 ms) and 4 decode iterations (2 ms),
    // each one sequence, each plus 1.5 ms of host time: first token at 11.5 ms, done at 11.5 + 4 × 3.5 = 25.5 ms.
    const result = simulateServing({
      requests: {
        arrivalSec: Float64Array.of(0),
        promptTokens: Int32Array.of(100),
        outputTokens: Int32Array.of(5),
      },
      pools: [
        {
          name: "replicas",
          role: "both",
          replicas: 1,
          gpusPerReplica: 1,
          stepTime: withHostOverhead(constantStepTime(10, 2), constantHostOverhead(1.5)),
          kvCapacityTokens: 10_000,
          scheduler: { kind: "continuous", maxBatchedTokens: 8192, maxSeqs: 256 },
        },
      ],
      router: "round-robin",
    });
    expect((result.firstTokenSec[0] as number) * 1000).toBeCloseTo(11.5, 9);
    expect((result.completionSec[0] as number) * 1000).toBeCloseTo(25.5, 9);
  });

  it("takes a table's curve for the model and TP, and names what the table holds otherwise", () => {
    const source = {
      kind: "table" as const,
      table: { file: "cpu.csv", curves: [{ model: "m/a", tp: 2, curve }] },
    };
    expect(hostOverheadCurveFor(source, "m/a", 2)).toBe(curve);
    let error: unknown;
    try {
      hostOverheadCurveFor(source, "m/a", 4);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).issues[0]).toMatchObject({
      path: ["--host-overhead-table"],
      file: "cpu.csv",
      allowed: ["m/a TP2"],
    });
  });
});
