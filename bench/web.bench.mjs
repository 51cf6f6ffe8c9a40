// npm run bench: the web explorer in Chromium (Debian's package via playwright-core), served by
// `llmsim web`. Targets (issue 7): recomputing the DeepSeek-V3 EP decode table (12 GPUs x 6 batch
// sizes x 3 TP x 6 EP) after an input change takes under 50 ms in the worker; the first load
// transfers under 500 kB before any chart is shown.
import { spawn } from "node:child_process";
import { chromium } from "playwright-core";

const bin = new URL("../bin/llmsim.js", import.meta.url).pathname;
const server = spawn(process.execPath, [bin, "web", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve, reject) => {
  let out = "";
  server.stdout.on("data", (chunk) => {
    out += chunk;
    const match = /http:\/\/\S+\//.exec(out);
    if (match) resolve(match[0]);
  });
  server.once("exit", (code) => reject(new Error(`llmsim web exited with ${code}`)));
});
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
  ],
});

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

try {
  // First load: the decode view shows no chart, so everything it transfers comes before charts.
  const context = await browser.newContext({ serviceWorkers: "block" });
  const page = await context.newPage();
  await page.goto(`${url}#view=decode`);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
  const load = await page.evaluate(() => {
    const entries = [
      ...performance.getEntriesByType("navigation"),
      ...performance.getEntriesByType("resource"),
    ];
    return {
      transferred: entries.reduce((sum, e) => sum + e.transferSize, 0),
      decoded: entries.reduce((sum, e) => sum + e.decodedBodySize, 0),
      files: entries.map((e) => e.name.replace(/^.*\//, "") || "index.html"),
      chartCode: entries.some((e) => /embed-/.test(e.name)),
    };
  });
  console.log(
    `first load before charts: ${(load.transferred / 1000).toFixed(1)} kB transferred (gzip), ${(load.decoded / 1000).toFixed(1)} kB uncompressed, ${load.files.length} files [${load.files.join(", ")}]; chart code loaded: ${load.chartCode} (target < 500 kB)`,
  );

  for (const preset of ["llmsim", "shallowsim"]) {
    await page.selectOption("#field-preset", preset);
    await page.waitForSelector('#status[data-state="ready"]');
    const times = [];
    for (let i = 1; i <= 30; i++) {
      await page.fill("#field-seqLen", String(4383 + 17 * i));
      await page.waitForSelector('#status[data-state="ready"]');
      times.push(Number(await page.getAttribute("#status", "data-compute-ms")));
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `EP decode table recompute in the worker (${preset} physics, 12 GPUs x 6 batch x 3 TP x 6 EP = 1,296 configurations): median ${quantile(sorted, 0.5).toFixed(1)} ms, p90 ${quantile(sorted, 0.9).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms over ${times.length} input changes (target < 50 ms)`,
    );
  }
  await context.close();
} finally {
  await browser.close();
  server.kill("SIGTERM");
}
