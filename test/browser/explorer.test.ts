/// <reference lib="dom" />
// The web explorer in real Chromium (Debian's package, driven by playwright-core), served by
// `llmsim web`. npm test builds dist-web/ first. Screenshots for the README go to docs/screenshots/.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csvParseRows } from "d3-dsv";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { builtinHfConfig } from "../../src/core/model/catalog.ts";
import { launchChromium, startWebServer } from "../helpers/browser.ts";

const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;
const shots = new URL("../../docs/screenshots/", import.meta.url).pathname;

let browser: Browser;
let server: { url: string; stop: () => void };

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  server = await startWebServer();
  browser = await launchChromium();
}, 60_000);

/** Every page a test opened: none may log an error or contact another origin. */
const opened: Opened[] = [];
afterEach(async () => {
  const pages = opened.splice(0);
  for (const page of pages) await page.context.close().catch(() => undefined);
  expect(pages.flatMap((p) => p.errors)).toEqual([]);
  expect(pages.flatMap((p) => p.foreignRequests)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

interface Opened {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly errors: string[];
  readonly foreignRequests: string[];
}

async function open(path = "", viewport = { width: 1360, height: 900 }): Promise<Opened> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, serviceWorkers: "block" });
  const page = await context.newPage();
  const errors: string[] = [];
  const foreignRequests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("request", (request) => {
    if (
      !request.url().startsWith(server.url) &&
      !request.url().startsWith("data:") &&
      !request.url().startsWith("blob:")
    )
      foreignRequests.push(request.url());
  });
  const result = { context, page, errors, foreignRequests };
  opened.push(result);
  await page.goto(server.url + path);
  await ready(page);
  return result;
}

/** Waits until the result on screen is the one for the current inputs. */
async function ready(page: Page): Promise<void> {
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
}

/** Waits for every chart in view to finish rendering. */
async function chartsDrawn(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".chart-host")].every((host) => host.getAttribute("data-ready") === "true"),
  );
}

/** Runs the page's "copy as CLI command" text (plus --json) in a directory with the files it names. */
function runShownCommand(command: string, extra: string[], files: Record<string, string> = {}) {
  const words = command.match(/'(?:[^']|'\\'')*'|\S+/g) ?? [];
  const args = words.slice(1).map((w) => (w.startsWith("'") ? w.slice(1, -1).replace(/'\\''/g, "'") : w));
  const dir = mkdtempSync(join(tmpdir(), "llmsim-browser-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const run = spawnSync(process.execPath, [bin, ...args, ...extra], { cwd: dir, encoding: "utf8" });
  return { ...run, dir };
}

const metric = async (page: Page, name: string) =>
  Number(await page.getAttribute(`[data-metric="${name}"]`, "data-value", { timeout: 5000 }));

describe("web explorer in Chromium", () => {
  it("loads with no console errors, no foreign requests, and a small first load", async () => {
    const { page, errors, foreignRequests, context } = await open();
    await chartsDrawn(page);
    expect(await page.textContent("#status")).toMatch(/computed in [\d.]+ ms in the worker/);
    expect(await metric(page, "latencyMs")).toBeGreaterThan(0);
    // Bytes the app transferred before any chart code: everything but the lazily loaded vega-embed chunk.
    const bytes = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .concat(performance.getEntriesByType("navigation"))
        .filter((entry) => !/\/embed-[\w-]+\.js$/.test(entry.name))
        .reduce((sum, entry) => sum + (entry as PerformanceResourceTiming).transferSize, 0),
    );
    expect(bytes).toBeGreaterThan(10_000);
    expect(bytes).toBeLessThan(500_000);
    await page.screenshot({ path: join(shots, "step.png") });
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await context.close();
  });

  it("changing model, hardware and TP updates the numbers, equal to the CLI's", async () => {
    const { page, errors, context } = await open();
    const before = await metric(page, "latencyMs");
    await page.selectOption("#field-model", "meta-llama/Llama-3.1-70B");
    await page.selectOption("#field-hardware", "H100-SXM");
    for (const [field, value] of [
      ["tp", "8"],
      ["dp", "1"],
      ["ep", "1"],
      ["batch", "32"],
    ] as const)
      await page.fill(`#field-${field}`, value);
    await ready(page);
    const latency = await metric(page, "latencyMs");
    expect(latency).not.toBe(before);
    const command = (await page.textContent("#cli-command")) ?? "";
    expect(command).toContain("--model meta-llama/Llama-3.1-70B --hardware H100-SXM --phase decode --tp 8");
    const cli = runShownCommand(command, ["--json"]);
    expect(cli.status).toBe(0);
    const totals = JSON.parse(cli.stdout).totals;
    expect(latency).toBe(totals.latencyMs);
    expect(await metric(page, "tokensPerSecPerGpu")).toBe(totals.tokensPerSecPerGpu);
    // The layer table's CSV export is the CLI's --csv, byte for byte.
    const download = page.waitForEvent("download");
    await page.click('[data-table="layers"] button:has-text("CSV")');
    const csv = readFileSync((await (await download).path()) as string, "utf8");
    expect(csv).toBe(runShownCommand(command, ["--csv"]).stdout);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a predictor file from llmsim calibrate prices the step as the CLI's --predictor does; a link names it, never carries it", async () => {
    // Fitted on TensorRT-LLM's H100 MLA kernels: the default DeepSeek-V3 step on H800 borrows them.
    const dir = mkdtempSync(join(tmpdir(), "llmsim-predictor-"));
    const predictorFile = join(dir, "predictor.json");
    const mla = new URL("../../data/measured/aiconfigurator/h100_sxm/mla/trtllm/1.3.0rc20/", import.meta.url)
      .pathname;
    const fit = spawnSync(
      process.execPath,
      [
        bin,
        "calibrate",
        "--measurements",
        ...["context", "generation"].map((p) => `${mla}${p}_mla_perf.parquet`),
      ].concat(["--out", predictorFile]),
      { encoding: "utf8" },
    );
    expect(fit.status, fit.stderr).toBe(0);
    const { page, context } = await open();
    const roofline = await metric(page, "latencyMs");
    await page.setInputFiles("#field-predictor", predictorFile);
    await expect
      .poll(() => page.textContent("#predictor-status"))
      .toMatch(/^calibrated:predictor\.json — 6 kernel families \(H100-SXM\)$/);
    await ready(page);
    expect(await page.textContent(".lede")).toContain("predictor calibrated:predictor.json");
    const calibrated = await metric(page, "latencyMs");
    expect(calibrated).not.toBe(roofline);
    const command = (await page.textContent("#cli-command")) ?? "";
    expect(command).toContain("--predictor calibrated:predictor.json");
    const files = { "predictor.json": readFileSync(predictorFile, "utf8") };
    const cli = runShownCommand(command, ["--json"], files);
    expect(cli.status, cli.stderr).toBe(0);
    expect(calibrated).toBe(JSON.parse(cli.stdout).totals.latencyMs);
    // The op table, byte for byte the CLI's, says where each time came from.
    const download = page.waitForEvent("download");
    await page.click('[data-table="ops"] button:has-text("CSV")');
    const csv = readFileSync((await (await download).path()) as string, "utf8");
    expect(csv).toBe(runShownCommand(command, ["--ops", "--csv"], files).stdout);
    expect(csv).toMatch(/,attention_decode,attention,bf16,.*,transferred,true\n/);
    // A shared link names the file but does not carry it: the view asks for it.
    const shared = await open(`#${new URL(page.url()).hash.slice(1)}`);
    expect(await shared.page.textContent(".issues")).toContain(
      "predictor.json is not loaded in this page (a link names the file, it does not carry it)",
    );
    await shared.page.setInputFiles("#field-predictor", predictorFile);
    await ready(shared.page);
    expect(await metric(shared.page, "latencyMs")).toBe(calibrated);
    await shared.context.close();
    // The serving view prices its iterations with it too, as `llmsim serve --predictor` does.
    await page.click('[data-view="serve"]');
    await page.selectOption("#field-serveModel", "deepseek-ai/DeepSeek-V2-Lite");
    await page.fill("#field-requests", "100");
    await ready(page);
    const serveCommand = (await page.textContent("#cli-command")) ?? "";
    expect(serveCommand).toContain("--predictor calibrated:predictor.json");
    const served = runShownCommand(serveCommand, ["--json"], files);
    expect(served.status, served.stderr).toBe(0);
    expect(await metric(page, "tpotP50Ms")).toBe(JSON.parse(served.stdout).tpot.p50Ms);
    await page.click('[data-view="step"]');
    await ready(page);
    // Not a predictor file: the CLI's error, and the view keeps its predictor.
    const bad = join(dir, "bad.json");
    writeFileSync(bad, '{"kind": "llmsim-predictor", "schemaVersion": 2}\n');
    await page.setInputFiles("#field-predictor", bad);
    await expect
      .poll(() => page.textContent("#predictor-status"))
      .toMatch(/bad\.json:1:\d+: schemaVersion: /);
    expect(await metric(page, "latencyMs")).toBe(calibrated);
    await page.click("#clear-predictor");
    await ready(page);
    expect(await metric(page, "latencyMs")).toBe(roofline);
    expect(await page.textContent("#cli-command")).not.toContain("--predictor");
    await context.close();
  });

  it("an invalid config.json shows the CLI's field error inline", async () => {
    const { page, context } = await open("#dp=1&ep=1&batch=16");
    const config = {
      ...(builtinHfConfig("meta-llama/Llama-3.1-8B")?.config as object),
      num_attention_heads: -4,
    };
    await page.click("text=Paste, drop or fetch a config.json");
    await page.fill("#field-modelText", JSON.stringify(config, null, 2));
    await ready(page);
    const issue = page.locator('.issues [data-field="num_attention_heads"]');
    await expect.poll(() => issue.count()).toBe(1);
    const text = (await issue.textContent()) ?? "";
    expect(text).toMatch(/^config\.json:\d+:\d+: num_attention_heads: /);
    const command = (await page.textContent("#cli-command")) ?? "";
    const cli = runShownCommand(command, [], { "config.json": JSON.stringify(config, null, 2) });
    expect(cli.status).toBe(2);
    expect(cli.stderr.replaceAll(`${cli.dir}/`, "")).toContain(text);
    // The pasted text area itself is marked, with the message next to it.
    expect(await page.getAttribute("#field-modelText", "aria-invalid")).toBe("true");
    expect(await page.textContent("#issue-modelText")).toContain(text);
    await page.screenshot({ path: join(shots, "config-error.png") });
    // A scenario field out of range is marked on its input, in the CLI's words.
    await page.fill("#field-tp", "0");
    await ready(page);
    expect(await page.getAttribute("#field-tp", "aria-invalid")).toBe("true");
    expect(await page.textContent("#issue-tp")).toMatch(/^tp: /);
    await page.fill("#field-tp", "1");
    // Fixing the field clears the error and simulates the pasted model.
    await page.fill("#field-modelText", JSON.stringify({ ...config, num_attention_heads: 32 }, null, 2));
    await ready(page);
    expect(await metric(page, "latencyMs")).toBeGreaterThan(0);
    expect(await page.locator("[aria-invalid]").count()).toBe(0);
    await context.close();
  });

  it("the EP decode table sorts, filters, exports the rows in view, and a shared URL restores it", async () => {
    const { page, context, errors } = await open();
    await page.click('[data-view="decode"]');
    await page.selectOption("#field-preset", "shallowsim");
    await ready(page);
    const table = page.locator('[data-table="decode"]');
    await table.locator('input[type="search"]').fill("H800 TP=4");
    const totalHeader = table.locator("th button", { hasText: /^Total( [▲▼])?$/ });
    await totalHeader.click();
    await totalHeader.click();
    await expect.poll(() => table.locator('th[aria-sort="descending"]').textContent()).toMatch(/^Total/);
    const count = Number(await table.locator(".count").getAttribute("data-count"));
    // At most 6 batch sizes x 6 EP sizes for one GPU and TP (ShallowSim drops what does not fit).
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThanOrEqual(36);
    const cells = await table
      .locator("tbody tr")
      .evaluateAll((rows) =>
        rows.map((row) => [...row.querySelectorAll("td")].map((td) => td.getAttribute("data-value") ?? "")),
      );
    const head = await table.locator("thead th").allTextContents();
    const totalColumn = head.findIndex((h) => /^Total( [▲▼])?$/.test(h));
    expect(totalColumn).toBeGreaterThan(0);
    const totals = cells.map((row) => Number(row[totalColumn]));
    expect([...totals].sort((a, b) => b - a)).toEqual(totals);
    const download = page.waitForEvent("download");
    await table.locator('button:has-text("CSV")').click();
    const csv = csvParseRows(readFileSync((await (await download).path()) as string, "utf8"));
    expect(csv[0]?.[0]).toBe("GPU");
    expect(csv.slice(1)).toEqual(cells);
    await page.screenshot({ path: join(shots, "decode-table.png") });

    // A shared link opens the same view: same inputs, same filter and sort, the same rows.
    const shared = await open(new URL(page.url()).hash);
    expect(await shared.page.inputValue("#field-preset")).toBe("shallowsim");
    const sharedTable = shared.page.locator('[data-table="decode"]');
    expect(await sharedTable.locator('input[type="search"]').inputValue()).toBe("H800 TP=4");
    expect(await sharedTable.locator('th[aria-sort="descending"]').textContent()).toMatch(/^Total/);
    const sharedCells = await sharedTable
      .locator("tbody tr")
      .evaluateAll((rows) =>
        rows.map((row) => [...row.querySelectorAll("td")].map((td) => td.getAttribute("data-value") ?? "")),
      );
    expect(sharedCells).toEqual(cells);
    expect(errors).toEqual([]);
    await shared.context.close();
    await context.close();
  });

  it("is usable from the keyboard and on a phone", async () => {
    const { page, context } = await open("", { width: 390, height: 844 });
    // The view tabs follow the tabs pattern: one Tab stop, arrow keys move between views.
    await page.focus('[data-view="step"]');
    await page.keyboard.press("ArrowLeft");
    await ready(page);
    expect(await page.getAttribute('[data-view="compare"]', "aria-selected")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-view"))).toBe("compare");
    expect(await page.locator('[role="tab"][tabindex="0"]').count()).toBe(1);
    await chartsDrawn(page);
    expect(await metric(page, "deltaMs")).not.toBe(0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: join(shots, "phone-compare.png") });
    await context.close();
  });

  it("draws the sweep and compare charts and exports them as SVG", async () => {
    const { page, context, errors } = await open(
      "#view=sweep&preset=shallowsim&gpus=H800,H20,GB200-NVL72&sweep=seq-len%3D1024%3A16384%3A1024",
    );
    await chartsDrawn(page);
    const download = page.waitForEvent("download");
    await page.click('[data-chart="sweep"] button:has-text("SVG")');
    const svg = readFileSync((await (await download).path()) as string, "utf8");
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain("seq_len");
    await page.screenshot({ path: join(shots, "sweep.png") });
    await page.click('[data-view="compare"]');
    await ready(page);
    await chartsDrawn(page);
    await page.screenshot({ path: join(shots, "compare.png"), fullPage: false });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("serving and planner views draw their charts, with the CLI's numbers", async () => {
    const serve = await open("#view=serve&requests=200&rate=8");
    await chartsDrawn(serve.page);
    const serveCommand = (await serve.page.textContent("#cli-command")) ?? "";
    const served = runShownCommand(serveCommand, ["--json"]);
    expect(served.status).toBe(0);
    expect(await metric(serve.page, "requestsPerSec")).toBe(JSON.parse(served.stdout).requestsPerSec);
    expect(await serve.page.locator('[data-chart="timeline"] svg').count()).toBe(1);
    await serve.page.screenshot({ path: join(shots, "serve.png"), fullPage: true });
    expect(serve.errors).toEqual([]);
    await serve.context.close();

    // What the CLI prints as a warning (a custom all-reduce on TP 16 over 8-GPU machines) is shown.
    const wide = await open("#view=serve&requests=40&rate=4&serveTp=16&serveAllReduce=custom");
    await chartsDrawn(wide.page);
    expect(await wide.page.locator(".warning").allTextContents()).toEqual([
      "custom all-reduce is ignored: the TP group spans 2 scale-up domains, so its all-reduces run on NCCL",
    ]);
    expect(wide.errors).toEqual([]);
    await wide.context.close();

    const plan = await open(
      "#view=plan&planModel=meta-llama/Llama-3.1-8B&planGpus=8&planHardware=H100-SXM,H20",
    );
    await chartsDrawn(plan.page);
    const planned = runShownCommand((await plan.page.textContent("#cli-command")) ?? "", ["--json"]);
    expect(planned.status).toBe(0);
    const recommended = JSON.parse(planned.stdout).recommended.candidate.description;
    expect(await plan.page.getAttribute('[data-metric="recommended"]', "data-value")).toBe(recommended);
    await plan.page.screenshot({ path: join(shots, "plan.png") });
    expect(plan.errors).toEqual([]);
    await plan.context.close();
  });

  it("works offline once loaded", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(server.url);
    await ready(page);
    await chartsDrawn(page);
    // The service worker holds the page, its scripts and the chart code.
    await expect
      .poll(
        () => page.evaluate(async () => (await (await caches.open("llmsim-explorer-v2")).keys()).length),
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThanOrEqual(4);
    await context.setOffline(true);
    await page.reload();
    await ready(page);
    await page.click('[data-view="decode"]');
    await ready(page);
    expect(
      Number(await page.locator('[data-table="decode"] .count').getAttribute("data-count")),
    ).toBeGreaterThan(0);
    await page.click('[data-view="step"]');
    await ready(page);
    await chartsDrawn(page);
    await context.close();
  });
});
