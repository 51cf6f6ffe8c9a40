import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { modelFromHfConfig } from "../core/model/from-hf-config.ts";
import { loadWithSchema, objectKeysAt, parseText } from "./load.ts";
import { hardwareFileSchema } from "./schema/hardware.ts";
import { stepScenarioSchema } from "./schema/scenario.ts";

describe("loadWithSchema(text, file, schema)", () => {
  it("maps a bad value to file:line:column and names the allowed values", () => {
    const result = loadWithSchema(
      "model: x\nhardware: H100\nphase: sideways\n",
      "s.yaml",
      stepScenarioSchema,
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues[0]).toMatchObject({
        file: "s.yaml",
        line: 3,
        column: 8,
        path: ["phase"],
        message: expect.stringContaining('"decode"'),
      });
  });

  it("reports unknown fields at their line, with the fields allowed there", () => {
    const result = loadWithSchema("model: x\nhardware: H100\nbatchh: 3\n", "s.yaml", stepScenarioSchema);
    expect(!result.ok && result.issues[0]).toMatchObject({
      line: 3,
      message: expect.stringContaining("batchh"),
      allowed: expect.arrayContaining(["batch", "context", "efficiency"]),
    });
    const nested = loadWithSchema("efficiency:\n  gemm: 0.5\n", "s.yaml", stepScenarioSchema);
    expect(!nested.ok && nested.issues.find((i) => i.code === "unrecognized_keys")).toMatchObject({
      path: ["efficiency"],
      allowed: expect.arrayContaining(["gemmComputeEfficiency", "opOverheadUs"]),
    });
  });

  it("objectKeysAt walks optional fields and arrays to the object schema at a path", () => {
    expect(objectKeysAt(hardwareFileSchema, ["accelerators", 0, "scaleUp"])).toEqual(
      expect.arrayContaining(["bandwidthGBps", "domainGpus"]),
    );
    expect(objectKeysAt(stepScenarioSchema, ["model"])).toBeUndefined();
  });

  it("reports YAML syntax errors with a position", () => {
    const result = loadWithSchema("model: [x\nhardware: H100\n", "s.yaml", stepScenarioSchema);
    expect(!result.ok && result.issues[0]?.code).toBe("syntax-error");
    expect(!result.ok && typeof result.issues[0]?.line).toBe("number");
  });

  it("rejects zero and negative sizes in scenarios and hardware files", () => {
    expect(loadWithSchema("model: x\nhardware: y\ntp: 0\n", "s.yaml", stepScenarioSchema).ok).toBe(false);
    const hw = loadWithSchema("accelerators:\n  - name: a\n    hbmGB: -1\n", "h.yaml", hardwareFileSchema);
    expect(!hw.ok && hw.issues[0]).toMatchObject({ path: ["accelerators", 0, "hbmGB"], line: 3 });
  });

  it("accepts JSON as well as YAML", () => {
    expect(
      loadWithSchema('{"model": "x", "hardware": "H100", "tp": 2}', "s.json", stepScenarioSchema).ok,
    ).toBe(true);
  });
});

describe("parsers never throw on arbitrary input (fuzz)", () => {
  it("parseText returns data or issues for any text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const result = parseText(text, "fuzz.yaml");
        expect(typeof result.ok).toBe("boolean");
      }),
      { numRuns: 500 },
    );
  });

  it("modelFromHfConfig returns a model or issues for any JSON value", () => {
    const field = fc.oneof(
      fc.integer({ min: -10, max: 100_000 }),
      fc.double(),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
    );
    const config = fc.record(
      {
        model_type: fc.constantFrom("llama", "mixtral", "deepseek_v3", "gpt_oss", "opt", "bloom", "unknown"),
        hidden_size: field,
        intermediate_size: field,
        num_hidden_layers: fc.oneof(fc.integer({ min: -2, max: 64 }), field),
        num_attention_heads: field,
        num_key_value_heads: field,
        vocab_size: field,
        num_local_experts: field,
        num_experts_per_tok: field,
        kv_lora_rank: field,
        sliding_window: field,
        layer_types: fc.array(fc.constantFrom("sliding_attention", "full_attention"), { maxLength: 4 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(config, fc.jsonValue()), (input) => {
        const result = modelFromHfConfig(input, "fuzz");
        if (result.ok) {
          expect(result.model.layers.length).toBe(result.model.numLayers);
          expect(result.model.hiddenSize).toBeGreaterThan(0);
        } else expect(result.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });
});
