// npm run bench: `llmsim plan` as users run it (a fresh CLI process on every core). Issue 4 targets:
// 1,000,000 analytic configurations in under 30 s on 2 cores, and shard-then-merge equal to a single
// run on a real sweep.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = new URL("../bin/llmsim.js", import.meta.url).pathname;
const run = (args) => {
  const start = performance.now();
  const child = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (child.status !== 0) throw new Error(`llmsim ${args.join(" ")}: ${child.stderr}`);
  return { stdout: child.stdout, seconds: (performance.now() - start) / 1000 };
};
/** The sweep's own figures from the report's "searched N configurations in S s on T threads" line. */
const searched = (stdout) => {
  const match = /searched ([\d,]+) configurations in ([\d.]+) s on (\d+) threads?/.exec(stdout);
  if (!match) throw new Error(`no sweep line in:\n${stdout}`);
  return {
    configurations: Number(match[1].replaceAll(",", "")),
    seconds: Number(match[2]),
    threads: Number(match[3]),
  };
};

const sweeps = [
  [
    "DeepSeek-V3 on H800 + H20 + GB200-NVL72, 64 GPUs, default axes",
    [
      "--model",
      "deepseek-ai/DeepSeek-V3",
      "--hardware",
      "H800,H20,GB200-NVL72",
      "--gpus",
      "64",
      "--isl",
      "4096",
      "--osl",
      "1024",
      "--ttft-ms",
      "2000",
      "--tpot-ms",
      "50",
    ],
  ],
  [
    "Llama-3.1-70B on H100 + H200 + B200, 64 GPUs, TP 1-8, PP 1-4, both overlaps, two KV formats",
    [
      "--model",
      "meta-llama/Llama-3.1-70B",
      "--hardware",
      "H100,H200,B200",
      "--gpus",
      "64",
      "--isl",
      "2048",
      "--osl",
      "512",
      "--tp",
      "1,2,4,8",
      "--pp",
      "1,2,4",
      "--kv-dtype",
      "bf16,fp8",
      "--overlap",
      "none,two-micro-batch",
      "--ttft-ms",
      "1000",
      "--tpot-ms",
      "40",
    ],
  ],
];
for (const [name, args] of sweeps) {
  const { stdout, seconds } = run(["plan", ...args, "--recheck", "0"]);
  const s = searched(stdout);
  const rate = s.configurations / s.seconds;
  console.log(
    `llmsim plan, ${name}: ${s.configurations.toLocaleString("en-US")} configurations in ${s.seconds.toFixed(2)} s on ${s.threads} threads = ${(rate / 1e6).toFixed(2)} million/s, ${(1e6 / rate).toFixed(3)} s per million (target < 30 s per million); ${seconds.toFixed(2)} s wall for the whole command`,
  );
}

// Shard-then-merge against the single run, on the first sweep, re-check included.
const [, question] = sweeps[0];
const single = run(["plan", ...question, "--json"]);
const dir = mkdtempSync(join(tmpdir(), "llmsim-plan-bench-"));
let shardSeconds = 0;
for (let i = 0; i < 4; i++)
  shardSeconds += run(["plan", ...question, "--shard", `${i}/4`, "--out", dir, "--threads", "1"]).seconds;
const files = readdirSync(dir).map((f) => join(dir, f));
const merged = run(["merge", ...files, "--json"]);
console.log(
  `llmsim plan --shard I/4 x 4 then llmsim merge (${JSON.parse(single.stdout).spaceSize.toLocaleString("en-US")} configurations): merged JSON ${merged.stdout === single.stdout ? "equals" : "DIFFERS FROM"} the single run's, byte for byte (${single.stdout.length.toLocaleString("en-US")} bytes); single run ${single.seconds.toFixed(2)} s wall, shards ${shardSeconds.toFixed(2)} s in all, merge ${merged.seconds.toFixed(2)} s`,
);
if (merged.stdout !== single.stdout) process.exitCode = 1;
