import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { METRIC_ALIASES, VALIDATION_METRICS } from "../../core/validation/metrics.ts";
import { validationSuiteSchema } from "./validation.ts";

describe("validation suite schema", () => {
  it("the suite schema returns data or issues for arbitrary serving cases (fuzz)", () => {
    const value = fc.oneof(
      fc.integer({ min: -5, max: 100_000 }),
      fc.double(),
      fc.string({ maxLength: 20 }),
      fc.constantFrom("lmsys", "lognormal:512:1", "lognormal:x", "poisson", "gamma", "chunked"),
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
        const parsed = validationSuiteSchema.safeParse({
          suite: "fuzz",
          calibration: "held-out",
          cases: [
            {
              id: "c",
              source: { document: "fuzz" },
              level: "request",
              scenario: { serve: scenario },
              metric: name,
              value: 1,
              unit,
            },
          ],
        });
        if (!parsed.success) expect(parsed.error.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
