import { pythonFloat } from "../../text/python-float.ts";
import type { PlanRow } from "./planner.ts";

/** A float for Python-style output (printed with repr even when integral: 0.0, 55.0). */
class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}
type PyValue = number | PyFloat | PyValue[] | { [key: string]: PyValue };

/** Python's json.dumps(value, indent=2): ", " inside nothing, one item per line, floats as repr. */
function pythonJson(value: PyValue, depth = 0): string {
  const pad = "  ".repeat(depth + 1);
  const end = "  ".repeat(depth);
  if (value instanceof PyFloat) return pythonFloat(value.value);
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((item) => pad + pythonJson(item, depth + 1)).join(",\n")}\n${end}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([key, item]) => `${pad}${JSON.stringify(key)}: ${pythonJson(item, depth + 1)}`).join(",\n")}\n${end}}`;
}

const f = (x: number) => new PyFloat(x);

/**
 * The planner's JSON (simulate_all.py): `[[D, {"Baseline": {bs, total_time, cost}, "Baseline_dp":
 * {dp, pp, bs, total_time, cost}, "DV": {pm, tm, bs, total_time, cost}}], ...]`, indent 2. A family
 * with nothing that fits reports zeros.
 */
export function dejavuPlanJson(rows: readonly PlanRow[]): string {
  return pythonJson(
    rows.map((row) => [
      row.machines,
      {
        Baseline: row.baseline
          ? { bs: row.baseline.bs, total_time: f(row.baseline.totalTimeSec), cost: f(row.baseline.cost) }
          : { bs: 0, total_time: 0, cost: 0 },
        Baseline_dp: row.baselineDp
          ? {
              dp: row.baselineDp.dp,
              pp: row.baselineDp.pp,
              bs: row.baselineDp.bs,
              total_time: f(row.baselineDp.totalTimeSec),
              cost: f(row.baselineDp.cost),
            }
          : { dp: 0, pp: 0, bs: 0, total_time: 0, cost: 0 },
        DV: row.dv
          ? {
              pm: row.dv.pm,
              tm: row.dv.tm,
              bs: row.dv.bs,
              total_time: f(row.dv.totalTimeSec),
              cost: f(row.dv.cost),
            }
          : { pm: 0, tm: 0, bs: 0, total_time: 0, cost: 0 },
      },
    ]),
  );
}

export const DEJAVU_PLAN_COLUMNS = [
  "Num_machines",
  "Baseline",
  "Baseline_dp",
  "DV",
  "Cost_baseline",
  "Cost_baseline_dp",
  "Cost_dv",
] as const;

/** The planner's CSV as pandas writes it (index column, floats as repr, infeasible = 0.0). */
export function dejavuPlanCsv(rows: readonly PlanRow[]): string {
  const lines = [`,${DEJAVU_PLAN_COLUMNS.join(",")}`];
  rows.forEach((row, index) => {
    const values = [
      row.baseline?.totalTimeSec,
      row.baselineDp?.totalTimeSec,
      row.dv?.totalTimeSec,
      row.baseline?.cost,
      row.baselineDp?.cost,
      row.dv?.cost,
    ];
    lines.push([index, row.machines, ...values.map((v) => pythonFloat(v ?? 0))].join(","));
  });
  return `${lines.join("\n")}\n`;
}
