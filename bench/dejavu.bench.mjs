// npm run bench: stage-steps per second of DéjàVu's pipeline loop (issue 8 target: at least
// 20 million/s on one core; upstream Python manages about 0.6 million/s). The workload is the
// reference baseline run (512 LMSys-like microbatches, 4 stages, rps 0.5) repeated, plus a
// 64-stage pipeline over a synthetic 10,000-microbatch trace so the loop runs for seconds.

import { readFileSync } from "node:fs";
import { dejavuBaseline, dejavuDisaggregated } from "../dist/core/sim/dejavu/simulators.js";
import { dejavuTokenCounts, parseTokenTrace } from "../dist/core/sim/dejavu/trace-input.js";

const trace = parseTokenTrace(
  JSON.parse(
    readFileSync(new URL("../data/reference/dejavu/lmsys_like_tokens.json", import.meta.url), "utf8"),
  ),
);
const tokens = dejavuTokenCounts(trace.entries);

function rate(label, run, repeats) {
  run(); // warm-up
  let steps = 0;
  const start = performance.now();
  for (let i = 0; i < repeats; i++) steps += run().stageSteps;
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `${label}: ${(steps / seconds / 1e6).toFixed(1)} million stage-steps/s (${steps.toLocaleString("en-US")} steps in ${seconds.toFixed(2)} s; target >= 20 million/s)`,
  );
}

rate(
  "dejavu baseline, reference run (N 4, rps 0.5, 512 microbatches)",
  () => dejavuBaseline({ tokens, rps: 0.5, machines: 4, promptMs: 430.1, tokenMs: 7.44 }),
  20,
);
rate(
  "dejavu dv, reference run (A 1, B 3, rps 0.5)",
  () =>
    dejavuDisaggregated({
      tokens,
      rps: 0.5,
      promptMachines: 1,
      tokenMachines: 3,
      promptMs: 1720.4,
      tokenMs: 9.92,
      cacheMs: 1510,
    }),
  20,
);
const large = Int32Array.from({ length: 10_000 }, (_, i) => tokens[i % tokens.length]);
rate(
  "dejavu baseline, 64 stages x 10,000 microbatches",
  () => dejavuBaseline({ tokens: large, rps: 0, machines: 64, promptMs: 10, tokenMs: 1 }),
  1,
);
