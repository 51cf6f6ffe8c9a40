import { writeFileSync } from "node:fs";
import { type Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { STEP_FIELD_PARSERS, type StepField } from "../../config/step-fields.ts";
import { compareSteps } from "../../core/analysis/compare-steps.ts";
import { InputError } from "../../core/issues.ts";
import { compareChartSpec } from "../../core/report/compare-chart.ts";
import { svgToPng, vegaLiteToSvg } from "../../io/render-chart.ts";
import { fixed } from "../format/numbers.ts";
import { renderCsv, renderJson, renderTable } from "../format/table.ts";
import { chartFile, commander, outputFormat } from "../options.ts";
import { addStepFlags, RENAMED_FLAGS, type StepFlags, stepResultFromFlags } from "./step.ts";

/** Scenario key -> the option name commander gives its flag, where they differ. */
const OPTION_OF: Record<string, string> = Object.fromEntries(
  Object.entries(RENAMED_FLAGS).map(([option, key]) => [key, option]),
);

/** `--b KEY=VALUE`: scenario B's override of a step field (a scenario file's key), read as its flag reads it. */
function override(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const match = /^([A-Za-z]\w*)=(.*)$/.exec(value);
  const key = match?.[1];
  const keys = Object.keys(STEP_FIELD_PARSERS);
  if (!match || key === undefined || !Object.hasOwn(STEP_FIELD_PARSERS, key))
    throw new InvalidArgumentError(`expected KEY=VALUE with KEY one of ${keys.join(", ")}.`);
  const parse = STEP_FIELD_PARSERS[key as StepField];
  return { ...previous, [OPTION_OF[key] ?? key]: commander(() => parse(match[2] as string)) };
}

export function registerCompare(program: Command): void {
  addStepFlags(
    program
      .command("compare")
      .description(
        "Simulate two steps (the flags, and the flags with --b overrides) and attribute the difference to ops, blocks and resources",
      ),
  )
    .option(
      "--b <key=value>",
      "scenario B's override of a step flag, repeatable (e.g. --b hardware=H20 --b tp=8)",
      override,
    )
    .option("--chart <file>", "write the per-op difference chart (.svg or .png)", chartFile)
    .option("--json", "machine-readable JSON on stdout")
    .option("--csv", "CSV on stdout: one row per op (and the overlap and remainder rows)")
    .action(async (options) => {
      const format = outputFormat(options);
      if (!options.b)
        throw new InputError([
          {
            code: "missing-field",
            path: ["--b"],
            message: "give scenario B at least one --b KEY=VALUE override",
          },
        ]);
      const a = await stepResultFromFlags(options);
      const b = await stepResultFromFlags({ ...options, ...(options.b as Partial<StepFlags>) });
      if (!a.totals || !b.totals) {
        throw new InputError([
          {
            code: "does-not-fit",
            path: [a.totals ? "--b" : "--hardware"],
            message: `scenario ${a.totals ? "B" : "A"} does not fit in memory (see \`llmsim step\`); nothing to compare`,
          },
        ]);
      }
      const comparison = compareSteps(a, b);
      const label = (r: typeof a) =>
        `${r.hardware.name} tp ${r.parallel.tp} dp ${r.parallel.dp} ep ${r.parallel.ep}`;
      if (options.chart) {
        const svg = await vegaLiteToSvg(compareChartSpec(comparison.byOp, `${label(b)} minus ${label(a)}`));
        writeFileSync(options.chart, options.chart.toLowerCase().endsWith(".png") ? svgToPng(svg) : svg);
        process.stderr.write(`llmsim: wrote ${options.chart}\n`);
      }
      const cells = comparison.byOp.map((r) => [r.component, r.aMs, r.bMs, r.deltaMs]);
      if (format === "csv")
        return void process.stdout.write(renderCsv(["component", "aMs", "bMs", "deltaMs"], cells));
      if (format === "json")
        return void process.stdout.write(
          renderJson({
            schemaVersion: 1,
            a: { scenario: label(a), totals: a.totals },
            b: { scenario: label(b), totals: b.totals },
            comparison,
          }),
        );
      const ms = (value: number) => fixed(value, 4);
      const table = (rows: typeof comparison.byOp) =>
        renderTable(
          ["component", "A ms", "B ms", "B - A ms"],
          rows.map((r) => [r.component, ms(r.aMs), ms(r.bMs), ms(r.deltaMs)]),
        );
      process.stdout.write(
        `A: ${label(a)}: ${fixed(a.totals.latencyMs, 3)} ms per step, ${fixed(a.totals.tokensPerSecPerGpu, 1)} tokens/s per GPU\n` +
          `B: ${label(b)}: ${fixed(b.totals.latencyMs, 3)} ms per step, ${fixed(b.totals.tokensPerSecPerGpu, 1)} tokens/s per GPU\n` +
          `B - A: ${fixed(comparison.deltaMs, 3)} ms per step\n\nby op (summed over layers; the rows add up to the difference)\n${table(comparison.byOp)}\n\nby block\n${table(comparison.byBlock)}\n\nby resource (before overlap)\n${table(comparison.byResource)}\n`,
      );
    });
}
