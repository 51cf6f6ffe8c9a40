import { describe, expect, it } from "vitest";
import { ROUND_GPU } from "../../test/helpers/fixtures.ts";
import { gemm } from "../core/ops/gemm.ts";
import { buildFamilies, type Measurement } from "../core/predictor/calibrate.ts";
import { familiesOfDocument, toPredictorDocument } from "../core/predictor/predictor-file.ts";
import { loadWithSchema } from "./load.ts";
import { predictorFamiliesFromText } from "./predictor-text.ts";
import { predictorFileSchema } from "./schema/predictor.ts";

const measurements: Measurement[] = [1, 4, 16, 64, 256, 1024, 4096, 16384].map((m) => ({
  hardware: "round",
  op: gemm({
    name: "gemm",
    m,
    n: 4096,
    k: 4096,
    weightDtype: "bf16",
    activationDtype: "bf16",
    computeDtype: "bf16",
    formula: "",
  }),
  latencyMs: 0.01 + m * 1e-5,
  group: "g",
  source: "synthetic",
}));
const text = JSON.stringify(
  toPredictorDocument(
    buildFamilies(measurements, () => ROUND_GPU, "calibrated"),
    ["m.csv"],
  ),
  null,
  2,
);

describe("predictor file text", () => {
  it("reads a valid file as the position-keeping parser does", () => {
    const slow = loadWithSchema(text, "p.json", predictorFileSchema);
    if (!slow.ok) throw new Error("the fixture must be valid");
    expect(predictorFamiliesFromText(text, "p.json")).toEqual({
      ok: true,
      value: familiesOfDocument(slow.value),
    });
  });
  it("names the file, line and column of a bad field", () => {
    const bad = text.replace('"schemaVersion": 1', '"schemaVersion": 2');
    const parsed = predictorFamiliesFromText(bad, "p.json");
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues[0]).toMatchObject({ file: "p.json", line: 3, path: ["schemaVersion"] });
  });
  it("reports YAML-style syntax errors with their position", () => {
    const parsed = predictorFamiliesFromText(
      '{"kind": "llmsim-predictor",\n  "families": [1, 2,,]}',
      "p.json",
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues[0]).toMatchObject({ code: "syntax-error", file: "p.json", line: 2 });
  });
});
