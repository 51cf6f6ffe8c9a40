// npm run bench: wall time and peak memory of `llmsim serve` for 100,000 requests of
// Llama-3.1-8B on 8 H100 replicas with continuous batching (issue 8 targets: < 5 s, < 500 MB),
// run as a user runs it (a fresh CLI process), LMSys-like lengths, Poisson arrivals at 200 req/s.

import { spawnSync } from "node:child_process";

const args = [
  "serve",
  "--model",
  "meta-llama/Llama-3.1-8B",
  "--hardware",
  "H100",
  "--replicas",
  "8",
  "--scheduler",
  "continuous",
  "--requests",
  "100000",
  "--rate",
  "200",
  "--json",
];
for (let run = 0; run < 2; run++) {
  const start = performance.now();
  const child = spawnSync(
    process.execPath,
    [
      "--import",
      new URL("./max-rss.mjs", import.meta.url).pathname,
      new URL("../bin/llmsim.js", import.meta.url).pathname,
      ...args,
    ],
    { encoding: "utf8" },
  );
  const seconds = (performance.now() - start) / 1000;
  if (child.status !== 0) throw new Error(child.stderr);
  const maxRssMb = Number(/max-rss-kb (\d+)/.exec(child.stderr)?.[1]) / 1024;
  const summary = JSON.parse(child.stdout);
  console.log(
    `llmsim serve, 100,000 requests, Llama-3.1-8B on 8 H100 replicas, continuous batching: ${seconds.toFixed(2)} s wall, peak RSS ${maxRssMb.toFixed(0)} MB (targets < 5 s, < 500 MB); ` +
      `${summary.requestsPerSec.toFixed(1)} req/s served, TTFT p50 ${summary.ttft.p50Ms.toFixed(1)} ms, TPOT p50 ${summary.tpot.p50Ms.toFixed(2)} ms`,
  );
}
