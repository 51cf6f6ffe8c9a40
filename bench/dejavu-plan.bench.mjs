// npm run bench: wall time of `llmsim dejavu plan` for the Figure 17, 18 and 19 settings (issue 4
// target: under 5 s each; upstream Python takes 8-14 minutes of CPU per figure), run as users run
// it: a fresh CLI process on every core, on the synthetic model_info.json and LMSys-like trace.

import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const reference = new URL("../data/reference/dejavu/", import.meta.url).pathname;
const figures = [
  ["Figure 17", "OPT-66B", "320", "18.52"],
  ["Figure 18", "OPT-30B", "64", "8"],
  ["Figure 19", "BLOOM-176B", "320", "18.52"],
];
const cwd = mkdtempSync(join(tmpdir(), "llmsim-plan-bench-"));
for (const [figure, model, memory, cost] of figures) {
  const start = performance.now();
  const child = spawnSync(
    process.execPath,
    [
      new URL("../bin/llmsim.js", import.meta.url).pathname,
      "dejavu",
      "plan",
      "--trace_file",
      join(reference, "lmsys_like_tokens.json"),
      "--config_file",
      join(reference, "model_info.json"),
      "--model",
      model,
      "--mem_per_machine",
      memory,
      "--machine_cost",
      cost,
      "--output_csv",
      "plan.csv",
    ],
    { encoding: "utf8", cwd },
  );
  const seconds = (performance.now() - start) / 1000;
  if (child.status !== 0) throw new Error(child.stderr);
  console.log(
    `dejavu plan, ${figure} setting (${model}, ${memory} GB per machine): ${seconds.toFixed(2)} s wall (target < 5 s)`,
  );
}
