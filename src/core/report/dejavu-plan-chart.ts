import { pythonFloat } from "../text/python-float.ts";

/** One row of the planner's CSV (what `dejavu plot` reads). */
export interface PlanCsvRow {
  readonly machines: number;
  readonly baseline: number;
  readonly baselineDp: number;
  readonly dv: number;
  readonly costBaseline: number;
  readonly costBaselineDp: number;
  readonly costDv: number;
}

const FAMILIES = [
  { key: "baseline", cost: "costBaseline", label: "Baseline", color: "royalblue" },
  { key: "baselineDp", cost: "costBaselineDp", label: "Baseline-DP", color: "green" },
  { key: "dv", cost: "costDv", label: "DejaVu", color: "#d62728" },
] as const;

/**
 * plot_simulations.py's speedups: the largest ratio over every row but the first of baseline/DP,
 * baseline/DV and DP/DV makespans. Rows where either side is infeasible (0) are skipped (upstream
 * divides by zero and stops); null when no row has both.
 */
export function planSpeedups(rows: readonly PlanCsvRow[]): {
  dp: number | null;
  dvBaseline: number | null;
  dvDp: number | null;
} {
  const best = (num: (r: PlanCsvRow) => number, den: (r: PlanCsvRow) => number) => {
    let max: number | null = null;
    for (const row of rows.slice(1)) {
      if (num(row) === 0 || den(row) === 0) continue;
      const ratio = num(row) / den(row);
      if (max === null || ratio > max) max = ratio;
    }
    return max;
  };
  return {
    dp: best(
      (r) => r.baseline,
      (r) => r.baselineDp,
    ),
    dvBaseline: best(
      (r) => r.baseline,
      (r) => r.dv,
    ),
    dvDp: best(
      (r) => r.baselineDp,
      (r) => r.dv,
    ),
  };
}

/** The lists plot_simulations.py prints: makespans then costs, each a Python tuple of three lists. */
export function planLists(rows: readonly PlanCsvRow[]): string {
  const list = (pick: (r: PlanCsvRow) => number) => `[${rows.map((r) => pythonFloat(pick(r))).join(", ")}]`;
  return [
    `(${list((r) => r.baseline)}, ${list((r) => r.baselineDp)}, ${list((r) => r.dv)})`,
    `(${list((r) => r.costBaseline)}, ${list((r) => r.costBaselineDp)}, ${list((r) => r.costDv)})`,
  ].join("\n");
}

/**
 * The grouped bar chart of plot_simulations.py as Vega-Lite: machine counts on x, one bar per
 * family (Baseline royalblue, Baseline-DP green, DejaVu red), makespan in seconds or cost
 * normalised by the machine cost (machine-hours). Infeasible configurations have no bar.
 */
export function planChartSpec(
  rows: readonly PlanCsvRow[],
  metric: "makespan" | "cost",
  machineCostPerHour = 1,
): Record<string, unknown> {
  const values = rows.flatMap((row) =>
    FAMILIES.flatMap((family) => {
      const y = metric === "makespan" ? row[family.key] : row[family.cost] / machineCostPerHour;
      return row[family.key] === 0 ? [] : [{ machines: row.machines, family: family.label, y }];
    }),
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 900,
    height: 400,
    data: { values },
    mark: "bar",
    encoding: {
      x: { field: "machines", type: "ordinal", title: "Number of Machines", axis: { labelAngle: 0 } },
      xOffset: { field: "family", sort: FAMILIES.map((f) => f.label) },
      y: {
        field: "y",
        type: "quantitative",
        title: metric === "makespan" ? "Makespan (sec)" : "Normalized Cost",
      },
      color: {
        field: "family",
        title: null,
        sort: FAMILIES.map((f) => f.label),
        scale: { domain: FAMILIES.map((f) => f.label), range: FAMILIES.map((f) => f.color) },
        legend: { orient: "top", direction: "horizontal" },
      },
    },
    config: { font: "DejaVu Sans", background: "white", view: { stroke: "#ddd" } },
  };
}
