import type { Command } from "@commander-js/extra-typings";
import { csvParse } from "d3-dsv";
import { InputError, type Issue } from "../../core/issues.ts";
import {
  type PlanCsvRow,
  planChartSpec,
  planLists,
  planSpeedups,
} from "../../core/report/dejavu-plan-chart.ts";
import { DEJAVU_PLAN_COLUMNS } from "../../core/sim/dejavu/plan-output.ts";
import { pythonFloat } from "../../core/text/python-float.ts";
import { readText, writeFilesAtomically } from "../../io/files.ts";
import { svgToPng, vegaLiteToSvg } from "../../io/render-chart.ts";
import { positiveNumber } from "../options.ts";

function readPlanCsv(path: string): PlanCsvRow[] {
  const rows = csvParse(readText(path, "--input"));
  const missing = DEJAVU_PLAN_COLUMNS.filter((column) => !rows.columns.includes(column));
  if (missing.length > 0)
    throw new InputError([
      {
        code: "missing-field",
        path: missing,
        file: path,
        message: `not a planner CSV: missing ${missing.join(", ")}`,
      },
    ]);
  const issues: Issue[] = [];
  const parsed = rows.map((row, index) => {
    const value = (column: string) => {
      const number = Number(row[column]);
      if (row[column] === undefined || row[column]?.trim() === "" || !Number.isFinite(number) || number < 0) {
        issues.push({
          code: "invalid-value",
          path: [index + 2, column],
          message: `row ${index + 2}: ${column} must be a number >= 0, got ${JSON.stringify(row[column] ?? "")}`,
        });
      }
      return number;
    };
    const machines = value("Num_machines");
    if (Number.isFinite(machines) && !(Number.isInteger(machines) && machines >= 1 && machines <= 100_000))
      issues.push({
        code: "invalid-value",
        path: [index + 2, "Num_machines"],
        message: `row ${index + 2}: Num_machines must be an integer from 1 to 100,000, got ${row.Num_machines}`,
      });
    return {
      machines,
      baseline: value("Baseline"),
      baselineDp: value("Baseline_dp"),
      dv: value("DV"),
      costBaseline: value("Cost_baseline"),
      costBaselineDp: value("Cost_baseline_dp"),
      costDv: value("Cost_dv"),
    };
  });
  if (parsed.length === 0) issues.push({ code: "invalid-value", path: [], message: "the CSV has no rows" });
  // One bar group per row: beyond a few hundred the chart is unreadable (and the renderer gives up).
  if (parsed.length > MAX_PLOT_ROWS)
    issues.push({
      code: "invalid-value",
      path: [],
      message: `${parsed.length} rows: a plot takes at most ${MAX_PLOT_ROWS} machine counts`,
    });
  if (issues.length > 0) throw new InputError(issues.slice(0, 20).map((issue) => ({ ...issue, file: path })));
  return parsed;
}

const MAX_PLOT_ROWS = 1000;

async function writeChart(base: string, spec: Record<string, unknown>): Promise<void> {
  const svg = await vegaLiteToSvg(spec);
  writeFilesAtomically([
    [`${base}.svg`, svg],
    [`${base}.png`, svgToPng(svg)],
  ]);
}

export function registerDejavuPlot(dejavu: Command): void {
  dejavu
    .command("plot")
    .description(
      "Figures 17-19 from a planner CSV: grouped makespan (or normalised cost) bars, lists and speedups",
    )
    .option("--model <name>", "model name (output file prefix)", "model")
    .option("--suffix <text>", "output file suffix", "plot")
    .option("--input <csv>", "the CSV written by `dejavu plan --output_csv`")
    .option("--plot_cost", "plot cost / machine cost (machine-hours) instead of makespan")
    .option("--machine_cost <$/h>", "machine cost per hour (required with --plot_cost)", positiveNumber())
    .action(async (options) => {
      if (!options.input)
        throw new InputError([{ code: "missing-field", path: ["--input"], message: "is required" }]);
      if (options.plot_cost && options.machine_cost === undefined) {
        throw new InputError([
          { code: "missing-field", path: ["--machine_cost"], message: "is required with --plot_cost" },
        ]);
      }
      const rows = readPlanCsv(options.input);
      process.stdout.write(`${planLists(rows)}\n`);
      const speedups = planSpeedups(rows);
      const show = (x: number | null) => (x === null ? "n/a (no row where both fit)" : pythonFloat(x));
      process.stdout.write(
        `SPEEDUP-DP ${show(speedups.dp)}\nSPEEDUP-DV-BASELINE ${show(speedups.dvBaseline)}\nSPEEDUP-DV-DP ${show(speedups.dvDp)}\n`,
      );
      const base = `${options.model}_${options.suffix}`;
      if (options.plot_cost)
        await writeChart(`${base}_cost`, planChartSpec(rows, "cost", options.machine_cost));
      else await writeChart(base, planChartSpec(rows, "makespan"));
    });
}
