// npm run bench: decode-step evaluations per second for DeepSeek-V3 (all 61 layers) on one core,
// measured on the built library (dist/, what users run). Target (issue 2): >= 100,000 per second.
import { builtinModel, HardwareRegistry, hardwareSpecOf, simulateStep } from "../dist/index.js";
import { measureThroughput, perSecond } from "./throughput.mjs";

const imported = builtinModel("deepseek-ai/DeepSeek-V3");
if (!imported.ok) throw new Error("DeepSeek-V3 did not import");
const model = imported.model;
const h800 = hardwareSpecOf(new HardwareRegistry().get("H800"));

// Batch and context change on every call, so no evaluation can reuse another's result.
let i = 0;
const nextWorkload = () => {
  i++;
  return { prefill: null, decode: { sequences: 16 + (i % 240), contextTokens: 1024 + ((i * 37) % 8192) } };
};
const step = (detail) =>
  simulateStep({
    model,
    hardware: h800,
    parallel: { dp: 32, ep: 32 },
    workload: nextWorkload(),
    overlap: "two-micro-batch",
    detail,
    ignoreMemory: true,
  });

for (const [name, detail] of [
  ["totals only", "totals"],
  ["with 63 LayerExecution records", "layers"],
]) {
  const rate = measureThroughput(() => step(detail));
  console.log(
    `DeepSeek-V3 decode step on H800, EP32, ${name}: ${perSecond(rate.medianPerSecond)} decode-step evaluations per second (median of 5 one-second windows; best ${perSecond(rate.bestPerSecond)}; target >= 100,000)`,
  );
}
const { heapUsed, rss } = process.memoryUsage();
console.log(`heap used ${(heapUsed / 1e6).toFixed(1)} MB, rss ${(rss / 1e6).toFixed(1)} MB`);
