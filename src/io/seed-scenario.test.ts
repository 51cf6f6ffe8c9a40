import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { issuesOf } from "../../test/helpers/issues.ts";
import { InputError } from "../core/issues.ts";
import { loadSeedScenario } from "./seed-scenario.ts";

const example = new URL("../../examples/scenarios/configs/scenarios/deepseek_v3_a100.yaml", import.meta.url)
  .pathname;

const HARDWARE = [
  'name: "A100-80GB"',
  "peak_tflops: 312",
  "memory_bandwidth_gbps: 2030",
  "hbm_gb: 80",
  "interconnect_gbps: 600",
  "max_concurrency: 2",
  "overlap_efficiency: 1.0",
  "",
].join("\n");
const FFN = [
  "attn_config:",
  '  type: "MLA"',
  "  d_model: 7168",
  "  num_attention_heads: 128",
  "  head_dim: 56",
  "  num_key_value_heads: 128",
  "  v_head_dim: 128",
  "ffn_config:",
  "  d_model: 7168",
  "  d_ff: 18432",
  "  hidden_act: silu",
  "",
].join("\n");

/** Writes files into a fresh directory and returns the path of the first. */
function scenarioDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "llmsim-seed-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return join(dir, Object.keys(files)[0] as string);
}

describe("loadSeedScenario", () => {
  it("loads the shipped DeepSeek-V3 on A100 example: 3 dense then 58 MoE layers", () => {
    const scenario = loadSeedScenario(example);
    expect(scenario.layers).toHaveLength(61);
    expect(scenario.model.layers.map((kind) => kind.ffn).join(",")).toBe(
      [...Array(3).fill("dense"), ...Array(58).fill("moe")].join(","),
    );
    expect(scenario.layers[0]).toMatchObject({ type: "ffn_layer", name: "ffn_layer 0" });
    expect(scenario.layers[60]).toMatchObject({ type: "moe_layer", name: "moe_layer 57" });
    expect(scenario.layers[60]?.configFile).toMatch(/configs\/models\/deepseek-v3\/moe_layer_config\.yaml$/);
    expect(scenario.hardware.scaleUp.bandwidthBytesPerSec).toBe(300e9);
    expect(scenario.hardware.peakFlopsPerSec.bf16).toBe(312e12);
    expect(scenario.overlap).toBe("full");
    expect(scenario.overlapEfficiency).toBe(1);
    expect(scenario.model.moe?.numExperts).toBe(256);
  });

  it("resolves paths against the file naming them and builds comm layers", () => {
    const file = scenarioDir({
      "s.yaml":
        "hardware: hw.yaml\nlayers:\n  - type: ffn_layer\n    config: ffn.yaml\n  - type: comm_layer\n    config: ar.yaml\n",
      "hw.yaml": HARDWARE,
      "ffn.yaml": FFN,
      "ar.yaml": "comm_config:\n  payload_mb: 64\n  pattern: all_reduce\n",
    });
    const scenario = loadSeedScenario(file);
    expect(scenario.layers[1]).toMatchObject({
      type: "comm_layer",
      name: "comm_layer 0",
      comm: { collective: "all-reduce", payloadBytes: 64e6, groupSize: 8 },
    });
  });

  it("names file:line:column and the field for bad input", () => {
    const unknownType = issuesOf(() =>
      loadSeedScenario(
        scenarioDir({
          "s.yaml": "hardware: hw.yaml\nlayers:\n  - type: attention_layer\n    config: ffn.yaml\n",
          "hw.yaml": HARDWARE,
          "ffn.yaml": FFN,
        }),
      ),
    );
    expect(unknownType[0]).toMatchObject({ path: ["layers", 0, "type"], line: 3, column: 11 });
    expect(unknownType[0]?.message).toBe('must be one of "ffn_layer", "moe_layer", "comm_layer"');

    const zeroBandwidth = issuesOf(() =>
      loadSeedScenario(
        scenarioDir({
          "s.yaml": "hardware: hw.yaml\nlayers:\n  - type: ffn_layer\n    config: ffn.yaml\n",
          "hw.yaml": HARDWARE.replace("memory_bandwidth_gbps: 2030", "memory_bandwidth_gbps: 0"),
          "ffn.yaml": FFN,
        }),
      ),
    );
    expect(zeroBandwidth[0]).toMatchObject({ path: ["memory_bandwidth_gbps"], line: 3 });
    expect(zeroBandwidth[0]?.file).toMatch(/hw\.yaml$/);

    const missing = issuesOf(() =>
      loadSeedScenario(
        scenarioDir({
          "s.yaml": "hardware: hw.yaml\nlayers:\n  - type: ffn_layer\n    config: nowhere.yaml\n",
          "hw.yaml": HARDWARE.replace("hbm_gb: 80\n", ""),
        }),
      ),
    );
    expect(missing.map((issue) => [issue.path.join("."), issue.code])).toEqual([
      ["hbm_gb", "missing-field"],
      ["layers.0.config", "file-not-readable"],
    ]);
    expect(missing[1]).toMatchObject({ line: 4, column: 13 });
    expect(missing[1]?.message).toMatch(/file not found: .*nowhere\.yaml/);

    const inconsistent = issuesOf(() =>
      loadSeedScenario(
        scenarioDir({
          "s.yaml":
            "hardware: hw.yaml\nlayers:\n  - type: ffn_layer\n    config: a.yaml\n  - type: ffn_layer\n    config: b.yaml\n",
          "hw.yaml": HARDWARE,
          "a.yaml": FFN,
          "b.yaml": FFN.replace("num_attention_heads: 128", "num_attention_heads: 64"),
        }),
      ),
    );
    expect(inconsistent).toHaveLength(1);
    expect(inconsistent[0]).toMatchObject({
      path: ["attn_config", "num_attention_heads"],
      line: 4,
      column: 24,
      code: "inconsistent-layers",
    });
    expect(inconsistent[0]?.file).toMatch(/b\.yaml$/);
  });

  it("throws nothing but InputError for random scenario, hardware and template files", () => {
    const valid = {
      scenario: { hardware: "hw.yaml", layers: [{ type: "ffn_layer", config: "ffn.yaml" }] },
      hardware: {
        name: "x",
        peak_tflops: 1,
        memory_bandwidth_gbps: 1,
        hbm_gb: 1,
        interconnect_gbps: 1,
        max_concurrency: 1,
        overlap_efficiency: 1,
      },
      template: {
        attn_config: { type: "GQA", d_model: 64, num_attention_heads: 4, num_key_value_heads: 2 },
        ffn_config: { d_model: 64, d_ff: 128, hidden_act: "silu" },
      },
    };
    // A valid document with one field replaced by anything, or arbitrary text.
    const mutated = (base: Record<string, unknown>) =>
      fc.oneof(
        fc
          .tuple(fc.constantFrom(...Object.keys(base), "extra"), fc.jsonValue())
          .map(([key, value]) => stringify({ ...base, [key]: value })),
        fc.string(),
        fc.jsonValue().map((value) => stringify(value)),
        fc.constant(stringify(base)),
      );
    fc.assert(
      fc.property(
        mutated(valid.scenario),
        mutated(valid.hardware),
        mutated(valid.template),
        (scenario, hardware, template) => {
          const file = scenarioDir({ "s.yaml": scenario, "hw.yaml": hardware, "ffn.yaml": template });
          try {
            loadSeedScenario(file);
          } catch (error) {
            expect(error).toBeInstanceOf(InputError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
