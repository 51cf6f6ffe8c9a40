import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseLengthDistribution } from "../../core/sim/requests.ts";
import { METRIC_ALIASES, VALIDATION_METRICS } from "../../core/validation/metrics.ts";
import { validationSuiteSchema } from "./validation.ts";

/** A suite of one serving case, parsed. */
const parseServeCase = (serve: unknown, metric: unknown, unit: unknown) =>
  validationSuiteSchema.safeParse({
    suite: "s",
    calibration: "held-out",
    cases: [
      { id: "c", source: { document: "x" }, level: "system", scenario: { serve }, metric, value: 1, unit },
    ],
  });

describe("validation suite schema", () => {
  it("the suite schema returns data or issues for arbitrary serving cases (fuzz)", () => {
    const value = fc.oneof(
      fc.integer({ min: -5, max: 100_000 }),
      fc.double(),
      fc.string({ maxLength: 20 }),
      fc.constantFrom("lmsys", "lognormal:512:1", "lognormal:x", "poisson", "gamma", "burst", "chunked"),
      fc.constant(null),
    );
    const serve = fc.record(
      {
        model: value,
        hardware: value,
        requests: value,
        promptTokens: value,
        outputTokens: value,
        rate: value,
        arrival: value,
        cv: value,
        seed: value,
        scheduler: value,
        prefillReplicas: value,
        decodeReplicas: value,
        replicas: value,
        decodeTp: value,
        hostOverheadMs: value,
      },
      { requiredKeys: [] },
    );
    const metric = fc.constantFrom(
      ...Object.keys(VALIDATION_METRICS),
      ...Object.keys(METRIC_ALIASES),
      "nope",
    );
    fc.assert(
      fc.property(serve, metric, value, (scenario, name, unit) => {
        // A parser never throws: it returns data or issues.
        const parsed = parseServeCase(scenario, name, unit);
        if (!parsed.success) return;
        // What the schema lets through is a run serveSetup can take: arrivals only at a rate, both
        // pool counts or neither, lengths a count or a distribution.
        const serve = parsed.data.cases[0]?.scenario as { serve: Record<string, unknown> };
        const s = serve.serve;
        // Arrivals at a rate need one; a burst (the default without a rate) takes none.
        if (s.arrival === "burst") expect(s.rate).toBeUndefined();
        if (s.arrival !== undefined && s.arrival !== "burst") expect(s.rate).toBeDefined();
        if (s.cv !== undefined) expect(s.arrival).toBe("gamma");
        expect(s.prefillReplicas === undefined).toBe(s.decodeReplicas === undefined);
        if (s.hostOverheadMs !== undefined) expect(s.hostOverheadMs).toBeGreaterThanOrEqual(0);
        for (const key of ["promptTokens", "outputTokens"])
          expect(
            typeof s[key] === "number" || parseLengthDistribution(String(s[key]), "prompt") !== null,
          ).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects what serveSetup would refuse or ignore, naming the field", () => {
    const issuesOf = (serve: Record<string, unknown>) => {
      const base = { model: "m", hardware: "H100", requests: 10, promptTokens: 10, outputTokens: 10 };
      const parsed = parseServeCase({ ...base, ...serve }, "requests_per_s", "req/s");
      return parsed.success
        ? []
        : parsed.error.issues.map((i) => `${i.path.slice(3).join(".")}: ${i.message}`);
    };
    expect(issuesOf({})).toEqual([]);
    expect(issuesOf({ prefillReplicas: 1, decodeReplicas: 2 })).toEqual([]);
    expect(issuesOf({ prefillReplicas: 1 })).toEqual([
      "serve.decodeReplicas: disaggregation needs both prefillReplicas and decodeReplicas",
    ]);
    expect(issuesOf({ prefillReplicas: 1, decodeReplicas: 1, replicas: 2 })[0]).toMatch(/^serve\.replicas: /);
    expect(issuesOf({ decodeTp: 2 })[0]).toMatch(/^serve\.decodeTp: decodeTp describes a disaggregated run/);
    expect(issuesOf({ rate: 5, cv: 2 })[0]).toMatch(/^serve\.cv: /);
    expect(issuesOf({ arrival: "gamma", cv: 2 })[0]).toMatch(/^serve\.rate: /);
    expect(issuesOf({ rate: 5, arrival: "gamma", cv: 2 })).toEqual([]);
    expect(issuesOf({ arrival: "burst" })).toEqual([]);
    expect(issuesOf({ arrival: "burst", rate: 5 })).toEqual([
      "serve.rate: arrival burst queues every request at time 0: rate and cv do not apply",
    ]);
    expect(issuesOf({ hostOverheadMs: 0.8 })).toEqual([]);
    expect(issuesOf({ hostOverheadMs: -1 })[0]).toMatch(/^serve\.hostOverheadMs: /);
  });
});
