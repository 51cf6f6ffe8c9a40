import { writeFileSync } from "node:fs";
import type { Command } from "@commander-js/extra-typings";
import { DECODE_SWEEP_DEFAULTS, decodeSweepSpecOf, requireMoe } from "../../config/analysis-request.ts";
import { type DecodeSweepSpec, decodeSweep, type Physics } from "../../core/analysis/decode-sweep.ts";
import { EP_DECODE_COLUMNS, type EpDecodeRow } from "../../core/analysis/ep-decode.ts";
import { decodeSweepOver, parseSweep, SWEEPABLE, type SweepBlock } from "../../core/analysis/sweep.ts";
import { type EpColumn, gpuView, isEpColumn, summaryView } from "../../core/analysis/views.ts";
import { InputError } from "../../core/issues.ts";
import { SHALLOWSIM_ASSUMPTIONS } from "../../core/presets/shallowsim/assumptions.ts";
import { epReportHtml } from "../../core/report/ep-report.ts";
import { sweepChartPoints, sweepChartSpec } from "../../core/report/sweep-chart.ts";
import { OVERLAP_POLICIES } from "../../core/step/overlap.ts";
import { loadModel } from "../../io/model.ts";
import { svgToPng, vegaLiteToSvg } from "../../io/render-chart.ts";
import { resolveSweepGpus } from "../../io/sweep-gpus.ts";
import { type Cell, renderCsv, renderJson, renderTable } from "../format/table.ts";
import {
  chartFile,
  intAtLeast,
  intList,
  nameList,
  oneOf,
  outputFile,
  outputFormat,
  positiveNumber,
} from "../options.ts";
import { progressReporter } from "../progress.ts";

const number = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(3));

/** Rows as human table cells (three decimals, as the seed's styled tables). */
function humanRows(
  rows: readonly EpDecodeRow[],
  extra?: { column: string; values: readonly number[] },
): { head: string[]; body: Cell[][] } {
  const head = [...EP_DECODE_COLUMNS, ...(extra ? [extra.column] : [])];
  const body = rows.map((row, index) => [
    ...EP_DECODE_COLUMNS.map((column) =>
      typeof row[column] === "number" ? number(row[column] as number) : (row[column] as string),
    ),
    ...(extra ? [String(extra.values[index])] : []),
  ]);
  return { head, body };
}

const csvRow = (row: EpDecodeRow): Cell[] => EP_DECODE_COLUMNS.map((column) => row[column]);

export function registerDecodeSweep(program: Command): void {
  program
    .command("decode-sweep")
    .description(
      "Expert-parallel decode table over GPUs x batch sizes x TP x EP, with ShallowSim's columns and views",
    )
    .option("--model <id|config.json>", "MoE model (default deepseek-ai/DeepSeek-V3)")
    .option(
      "--preset <physics>",
      "llmsim (the engine's physics, default) | shallowsim (ShallowSim's assumptions)",
      oneOf(["llmsim", "shallowsim"] as const),
    )
    .option(
      "--gpus <names>",
      "comma-separated GPUs (default: every GPU of --gpu-file, else ShallowSim's 12)",
      nameList,
    )
    .option("--gpu-file <file>", "GPU table in ShallowSim's gpu_info.csv format")
    .option("--hardware-file <files...>", "YAML/JSON files with extra accelerators (llmsim physics)")
    .option("--batch-sizes <list>", "decode sequences per GPU (default 16,32,64,128,256,512)", intList(1))
    .option("--tp <list>", "attention TP degrees (default 1,4,8)", intList(1))
    .option("--ep <list>", "EP group sizes (default 8,16,36,72,144,320)", intList(1))
    .option("--seq-len <n>", "KV length of each decode token (default 4383)", intAtLeast(1))
    .option(
      "--decode-len <n>",
      "tokens still to generate, reserved in the memory filter (default 1210)",
      intAtLeast(0),
    )
    .option("--fp8-combine", "FP8 combine on FP4-capable GPUs (ShallowSim's fp8_combine)")
    .option("--tps-limit <x>", "keep rows with TPS (tokens/s per sequence) above this", positiveNumber(true))
    .option(
      "--overlap <policy>",
      "llmsim physics: none | full | two-micro-batch (default two-micro-batch)",
      oneOf(OVERLAP_POLICIES),
    )
    .option(
      "--view <view>",
      "table (every row, default) | summary (best per GPU and batch) | gpu (one GPU)",
      oneOf(["table", "summary", "gpu"] as const),
    )
    .option("--gpu <name>", "GPU of the gpu view (implies --view gpu)")
    .option("--view-ep <n>", "gpu view: keep only this EP size", intAtLeast(1))
    .option("--sort <column>", "gpu view: sort and best-row column (default Total)")
    .option("--ascending", "gpu view: ascending order (best = smallest)")
    .option(
      "--sweep <NAME=START:STOP:STEP>",
      `sweep an input (STOP exclusive): ${Object.keys(SWEEPABLE).join(", ")}`,
    )
    .option("--chart <file>", "with --sweep: write the chart (.svg or .png)", chartFile)
    .option("--metric <column>", "chart metric (default Total)")
    .option("--chart-by <series>", "chart lines: batch | ep (default batch)", oneOf(["batch", "ep"] as const))
    .option(
      "--chart-fixed <n>",
      "chart: keep only this EP (lines by batch) or batch size (lines by EP); default the best",
      intAtLeast(1),
    )
    .option("--report <file>", "write the seed's styled HTML table of the chosen view", outputFile(".html"))
    .option(
      "--compare <preset>",
      "with the default physics: also run this preset and print both side by side",
      oneOf(["shallowsim"] as const),
    )
    .option("--csv", "CSV on stdout with ShallowSim's column names")
    .option("--json", "JSON on stdout")
    .action(async (options) => {
      const format = outputFormat(options);
      const physics: Physics = options.preset ?? "llmsim";
      if (options.compare && physics !== "llmsim") {
        throw new InputError([
          {
            code: "invalid-value",
            path: ["--compare"],
            message: "--compare runs the default physics against a preset; drop --preset",
          },
        ]);
      }
      const model = loadModel(options.model ?? DECODE_SWEEP_DEFAULTS.model);
      requireMoe(model, "decode-sweep");
      const specFor = (which: Physics): DecodeSweepSpec =>
        decodeSweepSpecOf(
          model,
          resolveSweepGpus({
            physics: which,
            ...(options.gpus ? { names: options.gpus } : {}),
            ...(options.gpuFile ? { gpuFile: options.gpuFile } : {}),
            ...(options.hardwareFile ? { hardwareFiles: options.hardwareFile } : {}),
          }),
          which,
          {
            ...(options.batchSizes ? { batchSizes: options.batchSizes } : {}),
            ...(options.tp ? { tps: options.tp } : {}),
            ...(options.ep ? { eps: options.ep } : {}),
            ...(options.seqLen !== undefined ? { seqLen: options.seqLen } : {}),
            ...(options.decodeLen !== undefined ? { decodeLen: options.decodeLen } : {}),
            fp8Combine: options.fp8Combine === true,
            ...(options.tpsLimit !== undefined ? { tpsLimit: options.tpsLimit } : {}),
            ...(options.overlap ? { overlap: options.overlap } : {}),
          },
        );
      const spec = specFor(physics);
      const column = (name: string | undefined, flag: string, fallback: EpColumn): EpColumn => {
        if (name === undefined) return fallback;
        if (!isEpColumn(name) || name === "GPU") {
          throw new InputError([
            {
              code: "invalid-value",
              path: [flag],
              message: `unknown column "${name}"`,
              allowed: EP_DECODE_COLUMNS.filter((c) => c !== "GPU"),
            },
          ]);
        }
        return name;
      };

      if (options.sweep !== undefined) {
        const parsed = parseSweep(options.sweep);
        if (!parsed.ok) throw new InputError(parsed.issues);
        const sweep = parsed.sweep;
        const progress = progressReporter(`sweeping ${sweep.name}`);
        const blocks = decodeSweepOver(spec, sweep, progress.update);
        progress.done();
        await writeSweepOutputs(
          blocks,
          sweep.column,
          options,
          format,
          column(options.metric, "--metric", "Total"),
        );
        return;
      }

      const rows = decodeSweep(spec);
      const viewName = options.gpu !== undefined ? "gpu" : (options.view ?? "table");
      let view: EpDecodeRow[];
      if (viewName === "summary") view = summaryView(rows);
      else if (viewName === "gpu") {
        if (options.gpu === undefined)
          throw new InputError([
            {
              code: "missing-field",
              path: ["--gpu"],
              message: "the gpu view needs --gpu NAME",
              allowed: spec.gpus.map((g) => g.name),
            },
          ]);
        if (!spec.gpus.some((g) => g.name === options.gpu))
          throw new InputError([
            {
              code: "invalid-value",
              path: ["--gpu"],
              message: `"${options.gpu}" is not one of the swept GPUs`,
              allowed: spec.gpus.map((g) => g.name),
            },
          ]);
        view = gpuView(rows, {
          gpu: options.gpu,
          tpsLimit: options.tpsLimit ?? 0,
          ...(options.viewEp !== undefined ? { ep: options.viewEp } : {}),
          sortBy: column(options.sort, "--sort", "Total"),
          ascending: options.ascending === true,
        });
      } else view = rows;

      if (options.report) {
        writeFileSync(
          options.report,
          epReportHtml(
            view,
            `${model.id}: EP decode, ${viewName} view (${physics} physics, seq_len ${spec.seqLen})`,
          ),
        );
        process.stderr.write(`llmsim: wrote ${options.report}\n`);
      }
      if (options.compare) {
        writeComparison(view, decodeSweep(specFor(options.compare)), format);
        return;
      }
      if (format === "csv") process.stdout.write(renderCsv([...EP_DECODE_COLUMNS], view.map(csvRow)));
      else if (format === "json")
        process.stdout.write(
          renderJson({
            schemaVersion: 1,
            model: model.id,
            physics,
            view: viewName,
            seqLen: spec.seqLen,
            rows: view,
          }),
        );
      else {
        const { head, body } = humanRows(view);
        process.stdout.write(
          `${model.id}, ${physics} physics, seq_len ${spec.seqLen}: ${view.length} rows (${viewName} view)\n${renderTable(head, body)}\n`,
        );
      }
    });
}

async function writeSweepOutputs(
  blocks: readonly SweepBlock[],
  sweepColumn: string,
  options: { chart?: string; chartBy?: "batch" | "ep"; chartFixed?: number },
  format: "table" | "json" | "csv",
  metric: EpColumn,
): Promise<void> {
  if (options.chart) {
    const chartOptions = {
      metric,
      lineBy: options.chartBy === "ep" ? ("EP" as const) : ("BatchSize" as const),
      ...(options.chartFixed !== undefined ? { fixed: options.chartFixed } : {}),
      xLabel: sweepColumn,
    };
    const svg = await vegaLiteToSvg(sweepChartSpec(sweepChartPoints(blocks, chartOptions), chartOptions));
    if (options.chart.toLowerCase().endsWith(".png")) writeFileSync(options.chart, svgToPng(svg));
    else writeFileSync(options.chart, svg);
    process.stderr.write(`llmsim: wrote ${options.chart}\n`);
  }
  const rows = blocks.flatMap((block) => block.rows);
  const values = blocks.flatMap((block) => block.rows.map(() => block.value));
  if (format === "csv") {
    process.stdout.write(
      renderCsv(
        [...EP_DECODE_COLUMNS, sweepColumn],
        rows.map((row, i) => [...csvRow(row), values[i] as number]),
      ),
    );
  } else if (format === "json") {
    process.stdout.write(renderJson({ schemaVersion: 1, sweep: sweepColumn, blocks }));
  } else {
    const { head, body } = humanRows(rows, { column: sweepColumn, values });
    process.stdout.write(
      `${rows.length} rows over ${blocks.length} values of ${sweepColumn}\n${renderTable(head, body)}\n`,
    );
  }
}

const COMPARED = [
  "DenseMLA",
  "DenseMLP",
  "SparseMLA",
  "SharedExpert",
  "RoutedExpert",
  "Dispatch",
  "Combine",
  "Delta",
  "TPOT",
  "Total",
] as const;

/** Rows of both physics joined on (GPU, TP, EP, BatchSize), with the difference per column. */
function writeComparison(
  llmsim: readonly EpDecodeRow[],
  shallowsim: readonly EpDecodeRow[],
  format: "table" | "json" | "csv",
): void {
  const key = (row: EpDecodeRow) => `${row.GPU}|${row.TP}|${row.EP}|${row.BatchSize}`;
  const other = new Map(shallowsim.map((row) => [key(row), row]));
  const joined = llmsim.flatMap((row) => {
    const preset = other.get(key(row));
    return preset ? [{ row, preset }] : [];
  });
  const diffPercent = (a: number, b: number) =>
    b === 0 ? (a === 0 ? 0 : Number.POSITIVE_INFINITY) : (100 * (a - b)) / Math.abs(b);
  const head = [
    "GPU",
    "TP",
    "EP",
    "BatchSize",
    ...COMPARED.flatMap((c) => [`${c}_llmsim`, `${c}_shallowsim`, `${c}_diff_pct`]),
  ];
  const cells = joined.map(({ row, preset }) => [
    row.GPU,
    row.TP,
    row.EP,
    row.BatchSize,
    ...COMPARED.flatMap((c) => [row[c], preset[c], diffPercent(row[c], preset[c])]),
  ]);
  if (format === "csv") return void process.stdout.write(renderCsv(head, cells));
  if (format === "json") {
    return void process.stdout.write(
      renderJson({ schemaVersion: 1, columns: head, rows: cells, assumptions: SHALLOWSIM_ASSUMPTIONS }),
    );
  }
  const shown = ["SparseMLA", "RoutedExpert", "Dispatch", "Combine", "TPOT", "Total"] as const;
  const human = joined.map(({ row, preset }) => [
    row.GPU,
    row.TP,
    row.EP,
    row.BatchSize,
    ...shown.flatMap((c) => [
      `${number(row[c])} / ${number(preset[c])}`,
      `${diffPercent(row[c], preset[c]).toFixed(1)}%`,
    ]),
  ]);
  process.stdout.write(
    `llmsim vs shallowsim physics: ${joined.length} rows in both (llmsim ${llmsim.length}, shallowsim ${shallowsim.length}); values "llmsim / shallowsim", then the difference\n`,
  );
  process.stdout.write(
    `${renderTable(["GPU", "TP", "EP", "BS", ...shown.flatMap((c) => [c, "diff"])], human)}\n`,
  );
  process.stdout.write("\nWhat the shallowsim preset assumes, and what llmsim's physics does instead:\n");
  process.stdout.write(
    `${renderTable(
      ["assumption", "shallowsim", "llmsim", "moves"],
      SHALLOWSIM_ASSUMPTIONS.map((a) => [a.name, a.shallowsim, a.llmsim, a.affects.join(", ")]),
    )}\n`,
  );
}
