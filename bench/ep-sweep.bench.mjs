// npm run bench: seed 000's sequence-length sweep (seq_len 1024..16384 step 32, every GPU of
// ShallowSim's gpu_info.csv, batch sizes 16..512, TP 1/4/8, EP 8..320) with the ShallowSim preset,
// wall time on one core. Target (issue 3): under 1 second. Also times llmsim's own physics.

import { shallowsimGpuTable, sweepGpuFromTableRow } from "../dist/core/analysis/gpus.js";
import { decodeSweepOver, parseSweep } from "../dist/core/analysis/sweep.js";
import { builtinModel } from "../dist/core/model/catalog.js";

const model = builtinModel("deepseek-ai/DeepSeek-V3").model;
const sweep = parseSweep("seq-len=1024:16384:32").sweep;

function run(physics) {
  // Fresh GPU objects every run, so no cached per-GPU context survives from the previous run.
  const gpus = shallowsimGpuTable("head").map((row) => sweepGpuFromTableRow(row, "gpu_info.csv"));
  const start = performance.now();
  const blocks = decodeSweepOver(
    {
      model,
      gpus,
      batchSizes: [16, 32, 64, 128, 256, 512],
      tps: [1, 4, 8],
      eps: [8, 16, 36, 72, 144, 320],
      seqLen: 4383,
      decodeLen: 1210,
      fp8Combine: true,
      tpsLimit: 0,
      physics,
      overlap: "two-micro-batch",
    },
    sweep,
  );
  const seconds = (performance.now() - start) / 1000;
  return { seconds, rows: blocks.reduce((n, b) => n + b.rows.length, 0) };
}

const evaluated = 480 * 12 * 6 * 3 * 6;
const cold = run("shallowsim");
console.log(
  `seed 000 sweep, shallowsim preset, first run in this process: ${cold.seconds.toFixed(3)} s wall (${cold.rows} rows kept of ${evaluated.toLocaleString("en-US")} evaluated; target < 1 s)`,
);
const warm = [run("shallowsim"), run("shallowsim"), run("shallowsim")].map((r) => r.seconds);
console.log(`seed 000 sweep, shallowsim preset, next 3 runs: ${warm.map((s) => s.toFixed(3)).join(", ")} s`);
const engine = run("llmsim");
console.log(
  `seed 000 sweep, llmsim physics (simulateStep per row): ${engine.seconds.toFixed(3)} s wall (${engine.rows} rows kept)`,
);
