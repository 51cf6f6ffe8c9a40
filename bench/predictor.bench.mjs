// npm run bench: DeepSeek-V3 decode-step evaluations per second on one core with the measured-table
// and calibrated predictors (issue 5 target: > 50,000 per second each), next to the roofline.
// Both predictors are built from AIConfigurator's measured H100 GEMM table (data/measured/); a
// fourth run adds its MLA attention tables to the calibrated one (every attention op then goes
// through a five-axis grid too), reported without a target.
import {
  buildFamilies,
  builtinModel,
  familyPredictor,
  HardwareRegistry,
  hardwareSpecOf,
  simulateStep,
} from "../dist/index.js";
import { loadMeasurements } from "../dist/io/measurements/load.js";
import { measureThroughput, perSecond } from "./throughput.mjs";

const imported = builtinModel("deepseek-ai/DeepSeek-V3");
if (!imported.ok) throw new Error("DeepSeek-V3 did not import");
const model = imported.model;
const registry = new HardwareRegistry();
const h100 = hardwareSpecOf(registry.get("H100"));
const table = new URL(
  "../data/measured/aiconfigurator/h100_sxm/gemm/trtllm/1.3.0rc20/gemm_perf.parquet",
  import.meta.url,
).pathname;
const measurements = await loadMeasurements([table], registry);
const mlaTables = ["context", "generation"].map(
  (phase) =>
    new URL(
      `../data/measured/aiconfigurator/h100_sxm/mla/trtllm/1.3.0rc20/${phase}_mla_perf.parquet`,
      import.meta.url,
    ).pathname,
);
const withMla = [...measurements, ...(await loadMeasurements(mlaTables, registry))];
const hardwareOf = () => h100;
const predictors = {
  roofline: undefined,
  table: familyPredictor("table", "table", buildFamilies(measurements, hardwareOf, "table")),
  calibrated: familyPredictor(
    "calibrated",
    "calibrated",
    buildFamilies(measurements, hardwareOf, "calibrated"),
  ),
  "calibrated (GEMM + MLA tables)": familyPredictor(
    "calibrated+mla",
    "calibrated",
    buildFamilies(withMla, hardwareOf, "calibrated"),
  ),
};

// Batch and context change on every call, so no evaluation can reuse another's result.
let i = 0;
const nextWorkload = () => {
  i++;
  return { prefill: null, decode: { sequences: 16 + (i % 240), contextTokens: 1024 + ((i * 37) % 8192) } };
};
const step = (predictor) =>
  simulateStep({
    model,
    hardware: h100,
    parallel: { dp: 32, ep: 32 },
    workload: nextWorkload(),
    overlap: "two-micro-batch",
    detail: "totals",
    ignoreMemory: true,
    ...(predictor ? { predictor } : {}),
  });

// Every GEMM of the step (and the MLA attention, with its tables) must really go through the data.
for (const [name, kind] of [
  ["calibrated", "gemm"],
  ["calibrated (GEMM + MLA tables)", "attention"],
]) {
  const sample = simulateStep({
    model,
    hardware: h100,
    parallel: { dp: 32, ep: 32 },
    workload: nextWorkload(),
    detail: "kinds",
    ignoreMemory: true,
    predictor: predictors[name],
  });
  const sources = new Set(
    sample.layers.flatMap((l) => l.ops.filter((op) => op.kind === kind).map((op) => op.source)),
  );
  console.log(`${name} predictor: ${kind} sources in a step: ${[...sources].join(", ")}`);
}

for (const [name, predictor] of Object.entries(predictors)) {
  const rate = measureThroughput(() => step(predictor));
  console.log(
    `DeepSeek-V3 decode step on H100, EP32, ${name} predictor: ${perSecond(rate.medianPerSecond)} decode-step evaluations per second (median of 5 one-second windows; best ${perSecond(rate.bestPerSecond)})${name.includes("+ MLA") ? "" : " (target > 50,000)"}`,
  );
}
