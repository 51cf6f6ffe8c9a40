import { fileURLToPath } from "node:url";
import type { Command } from "@commander-js/extra-typings";
import { InvalidArgumentError } from "@commander-js/extra-typings";
import { rooflineWithOverrides } from "../../config/step-request.ts";
import { InputError } from "../../core/issues.ts";
import { validationChartSpec, validationReportHtml } from "../../core/report/validation-report.ts";
import { type SliceSummary, summarizeValidation } from "../../core/validation/summary.ts";
import { writeFilesAtomically } from "../../io/files.ts";
import { loadHardwareRegistry } from "../../io/hardware.ts";
import { loadPredictor } from "../../io/predictor.ts";
import { svgToPng, vegaLiteToSvg } from "../../io/render-chart.ts";
import { type CaseOutcome, loadSuites, runSuites, suiteFiles } from "../../io/validation.ts";
import { EXIT_RESULT } from "../errors.ts";
import { fixed } from "../format/numbers.ts";
import { renderCsv, renderJson, renderTable } from "../format/table.ts";
import { chartFile, keyValue, outputFile, outputFormat, positiveNumber } from "../options.ts";

/** "anchors/kernel=10" -> a limit per slice, accumulated over repeats. */
function sliceLimit(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const match = /^([^=]+)=(.+)$/.exec(value);
  const limit = match ? Number(match[2]) : Number.NaN;
  if (!match || !(limit >= 0))
    throw new InvalidArgumentError("expected SLICE=PERCENT, e.g. anchors/kernel=10.");
  return { ...previous, [match[1] as string]: limit };
}

/** The suites shipped with llmsim (validation/ at the package root). */
const SHIPPED_SUITES = fileURLToPath(new URL("../../../validation/", import.meta.url));

const CASE_HEAD = [
  "suite",
  "id",
  "level",
  "group",
  "metric",
  "unit",
  "measured",
  "predicted",
  "error_%",
  "calibration",
  "note",
];

function caseCells(c: CaseOutcome): (string | number)[] {
  return [
    c.suite,
    c.id,
    c.level,
    c.group,
    c.metric,
    c.unit,
    Number(c.measured.toPrecision(6)),
    c.predicted === null ? "" : Number(c.predicted.toPrecision(6)),
    c.errorPct === null ? "" : fixed(c.errorPct, 1),
    c.calibration,
    c.reason ?? "",
  ];
}

const SUMMARY_HEAD = ["slice", "n", "coverage", "median |err| %", "P90 |err| %", "MAPE %", "median signed %"];
const summaryCells = (s: SliceSummary) => [
  s.slice,
  s.n,
  `${fixed(s.coverage * 100, 0)}%`,
  fixed(s.medianAbsPct, 1),
  fixed(s.p90AbsPct, 1),
  fixed(s.mapePct, 1),
  fixed(s.medianSignedPct, 1),
];

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description(
      "Predict every case of the validation suites and score it against the measurement: per-case error, median/P90/MAPE and coverage per level and group",
    )
    .argument("[suites...]", "suite files or directories (default: the shipped validation/ suites)")
    .option("--hardware-file <files...>", "YAML/JSON files with extra accelerators and clusters")
    .option(
      "--predictor <form>",
      "roofline (default) | calibrated:<predictor.json> | table:<measurement files>",
    )
    .option(
      "--efficiency <key=value>",
      "roofline parameter override for every case, repeatable (e.g. opOverheadUs=2.54); with --predictor, for the ops it has no data for",
      keyValue,
    )
    .option(
      "--max-median-error <pct>",
      "exit 1 when the median |error| of any level exceeds this, %",
      positiveNumber(),
    )
    .option(
      "--level-max <slice=pct>",
      "median |error| limit of a level or suite/level slice, repeatable (e.g. kernel=25, anchors/kernel=10); exit 1 when exceeded",
      sliceLimit,
    )
    .option("--cases-csv <file>", "also write the per-case rows (CSV)", outputFile(".csv"))
    .option("--chart <file>", "write the predicted-vs-measured chart, log-log (.svg or .png)", chartFile)
    .option(
      "--html <file>",
      "write a standalone HTML report (summaries, chart, every case)",
      outputFile(".html"),
    )
    .option("--json", "per-case rows and the summaries as JSON")
    .option("--csv", "per-case rows as CSV")
    .action(async (paths, options) => {
      const format = outputFormat(options);
      const files = suiteFiles(paths.length > 0 ? paths : [SHIPPED_SUITES]);
      if (files.length === 0)
        throw new InputError([
          { code: "empty", path: ["suites"], message: "no suite files (*.yaml, *.yml, *.json) found" },
        ]);
      const suites = loadSuites(files);
      const registry = loadHardwareRegistry(options.hardwareFile ?? []);
      const roofline = rooflineWithOverrides(options.efficiency ?? {});
      const predictor = options.predictor
        ? await loadPredictor(options.predictor, roofline, registry)
        : options.efficiency
          ? roofline
          : undefined;
      const cases = runSuites(suites, { registry, predictor });
      const summary = summarizeValidation(cases);
      const limits: Record<string, number> = { ...(options.levelMax ?? {}) };
      const slices = [...summary.levels, ...summary.suiteLevels, ...summary.calibrationSplits];
      const unknown = Object.keys(limits).filter((key) => !slices.some((s) => s.slice === key));
      if (unknown.length > 0)
        throw new InputError([
          {
            code: "unknown-id",
            path: ["--level-max"],
            message: `no slice ${unknown.map((k) => `"${k}"`).join(", ")} in these suites`,
            allowed: slices.map((s) => s.slice),
          },
        ]);
      const outputs: [string, string | Uint8Array][] = [];
      if (options.casesCsv) outputs.push([options.casesCsv, renderCsv(CASE_HEAD, cases.map(caseCells))]);
      if (options.chart || options.html) {
        const title = `llmsim validate: ${cases.length} cases, predictor ${predictor?.name ?? "roofline"}`;
        const svg = await vegaLiteToSvg(validationChartSpec(cases, title));
        if (options.chart)
          outputs.push([options.chart, options.chart.toLowerCase().endsWith(".png") ? svgToPng(svg) : svg]);
        if (options.html)
          outputs.push([
            options.html,
            validationReportHtml(
              title,
              [
                { heading: "Per level", rows: [...summary.levels, summary.all] },
                { heading: "Per suite and level", rows: summary.suiteLevels },
                {
                  heading: "Per suite, level and calibration split (used = in-sample)",
                  rows: summary.calibrationSplits,
                },
                { heading: "Per group", rows: summary.groups },
              ],
              cases,
              svg,
            ),
          ]);
      }
      writeFilesAtomically(outputs);
      if (format === "json") process.stdout.write(renderJson({ schemaVersion: 1, cases, summary }));
      else if (format === "csv") process.stdout.write(renderCsv(CASE_HEAD, cases.map(caseCells)));
      else {
        process.stdout.write(
          `${cases.length} cases from ${files.length} suites; predictor ${predictor?.name ?? "roofline"}; error = predicted / measured - 1\n\n`,
        );
        process.stdout.write(renderTable(CASE_HEAD, cases.map(caseCells)));
        process.stdout.write("\nper level\n");
        process.stdout.write(renderTable(SUMMARY_HEAD, [...summary.levels, summary.all].map(summaryCells)));
        process.stdout.write("\nper suite and level\n");
        process.stdout.write(renderTable(SUMMARY_HEAD, summary.suiteLevels.map(summaryCells)));
        process.stdout.write("\nper suite, level and calibration split (used = in-sample)\n");
        process.stdout.write(renderTable(SUMMARY_HEAD, summary.calibrationSplits.map(summaryCells)));
        process.stdout.write("\nper group\n");
        process.stdout.write(`${renderTable(SUMMARY_HEAD, summary.groups.map(summaryCells))}\n`);
      }
      // A gated slice fails on its median, and on any case it could not express (coverage < 100%).
      const over = slices.filter((level) => {
        const limit =
          limits[level.slice] ?? (summary.levels.includes(level) ? options.maxMedianError : undefined);
        return limit !== undefined && (!(level.medianAbsPct <= limit) || level.coverage < 1);
      });
      for (const level of over)
        process.stderr.write(
          level.coverage < 1
            ? `llmsim: ${level.slice}: ${level.n - Math.round(level.coverage * level.n)} of ${level.n} cases could not be expressed (coverage ${fixed(level.coverage * 100, 0)}%)\n`
            : `llmsim: ${level.slice} level median |error| ${fixed(level.medianAbsPct, 1)}% is over the limit ${limits[level.slice] ?? options.maxMedianError}%\n`,
        );
      if (over.length > 0) process.exitCode = EXIT_RESULT;
    });
}
