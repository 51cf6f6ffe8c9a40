import { describe, expect, it } from "vitest";
import { dejavuPlanCsv, dejavuPlanJson } from "./plan-output.ts";
import {
  dejavuPlan,
  dejavuPlanRunner,
  dejavuPlanTasks,
  dejavuTables,
  type PlannerInput,
  selectDejavuPlan,
} from "./planner.ts";

const roomy = { weightsGB: 1, kvGBPerToken: 0.001, memPerMachineGB: 80 };
const tiny: PlannerInput = {
  tokens: Int32Array.from([2, 3]),
  tables: dejavuTables({ batchSizes: [1], timingsMs: [[10, 1]] }, roomy, 2),
  machineCostPerHour: 3600,
  rps: 0,
  machineCounts: [1, 2],
};

describe("DéjàVu planner (hand-derived, prompt 10 ms and token 1 ms whole-model, microbatches of 2 and 3 tokens)", () => {
  const rows = dejavuPlan(tiny);
  it("1 machine: only the plain pipeline (prompt 0-10, tokens to 12; next prompt 12-22, tokens to 25 ms)", () => {
    expect(rows[0]).toMatchObject({ machines: 1, baselineDp: null, dv: null });
    expect(rows[0]?.baseline?.totalTimeSec).toBeCloseTo(0.025, 12);
    expect(rows[0]?.baseline?.cost).toBeCloseTo(0.025, 12);
  });
  it("2 machines: pipeline 18 ms (SPEC's worked example at half the stage time), DP 13 ms (parts of 12 and 13 ms), DV 23 ms", () => {
    const row = rows[1];
    expect(row?.baseline?.totalTimeSec).toBeCloseTo(0.018, 12);
    expect(row?.baselineDp).toMatchObject({ dp: 2, pp: 1, bs: 1 });
    expect(row?.baselineDp?.totalTimeSec).toBeCloseTo(0.013, 12);
    expect(row?.dv).toMatchObject({ pm: 1, tm: 1, bs: 1 });
    expect(row?.dv?.totalTimeSec).toBeCloseTo(0.023, 12);
    expect(row?.dv?.cost).toBeCloseTo(0.046, 12);
  });
  it("expands each entry to Bmax / b microbatches of b sequences, so every batch size plans the same sequences", () => {
    const input: PlannerInput = {
      ...tiny,
      tables: dejavuTables(
        {
          batchSizes: [1, 2],
          timingsMs: [
            [10, 1],
            [15, 1.5],
          ],
        },
        roomy,
        1,
      ),
      machineCounts: [1],
    };
    const tasks = dejavuPlanTasks(input);
    expect(tasks.map((t) => [t.family, t.batchIndex])).toEqual([
      ["baseline", 0],
      ["baseline", 1],
    ]);
    // bs 1: 4 microbatches (2, 2, 3, 3 tokens) -> 1 + 2 + ... passes; bs 2: 2 microbatches.
    expect(tasks[0]?.cost).toBe(2 * (2 + 3) + 2 * 2);
    expect(tasks[1]?.cost).toBe(2 + 3 + 2);
  });
  it("memory fit is ceil(weights / stages) + kv · b · seq < mem, strictly", () => {
    const tables = dejavuTables(
      { batchSizes: [1], timingsMs: [[1, 1]] },
      { weightsGB: 10, kvGBPerToken: 0.001, memPerMachineGB: 12 },
      4,
    );
    expect(tables.fitsFull[0]?.[0]).toBe(false); // 10 + 0.001 · 1 · 2000 = 12, not < 12
    expect(tables.fitsFull[0]?.[2]).toBe(true); // ceil(10 / 3) = 4, + 2 = 6
    expect(tables.fitsPrompt[0]?.[0]).toBe(true); // 10 + 1 = 11 < 12 with the 1000-token prompt
    expect(tables.stageMs[0]?.[3]).toEqual([0.25, 0.25]);
  });
  it("any split of the tasks gives the same rows (what the worker threads rely on)", () => {
    const input: PlannerInput = {
      ...tiny,
      tables: dejavuTables({ batchSizes: [1], timingsMs: [[10, 1]] }, roomy, 4),
      tokens: Int32Array.from({ length: 20 }, (_, i) => 2 + ((i * 7) % 30)),
      machineCounts: [1, 2, 4],
    };
    const tasks = dejavuPlanTasks(input);
    const run = dejavuPlanRunner(input);
    const reversed = new Float64Array(tasks.length);
    for (let k = tasks.length - 1; k >= 0; k--) reversed[k] = run(tasks[k] as (typeof tasks)[number]);
    expect(selectDejavuPlan(input, tasks, reversed)).toEqual(dejavuPlan(input));
  });
});

describe("planner outputs", () => {
  const rows = dejavuPlan(tiny);
  it("CSV as pandas writes it: index column, floats as repr, 0.0 when nothing fits", () => {
    const lines = dejavuPlanCsv(rows).trim().split("\n");
    expect(lines[0]).toBe(",Num_machines,Baseline,Baseline_dp,DV,Cost_baseline,Cost_baseline_dp,Cost_dv");
    expect(lines[1]?.startsWith("0,1,0.025,0.0,0.0,")).toBe(true);
  });
  it("JSON as Python's json.dump(indent=2)", () => {
    const json = dejavuPlanJson(rows);
    expect(
      json.startsWith(
        '[\n  [\n    1,\n    {\n      "Baseline": {\n        "bs": 1,\n        "total_time": 0.025,',
      ),
    ).toBe(true);
    expect(json).toContain(
      '"Baseline_dp": {\n        "dp": 0,\n        "pp": 0,\n        "bs": 0,\n        "total_time": 0,\n        "cost": 0\n      },',
    );
    expect(JSON.parse(json)[1][1].DV).toMatchObject({ pm: 1, tm: 1, bs: 1 });
  });
});
