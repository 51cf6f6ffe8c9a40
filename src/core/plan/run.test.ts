import { describe, expect, it } from "vitest";
import { planSpec } from "../../../test/helpers/plan.ts";
import { InputError } from "../issues.ts";
import { PlanEvaluator } from "./evaluate.ts";
import { recheckCandidate } from "./recheck.ts";
import { recheckPicks, recommend } from "./recommend.ts";
import { planResult, planSpaceOf, runPlan, sweepChunks } from "./run.ts";
import { PlanSpace, specHash } from "./space.ts";
import { sweepRange } from "./sweep.ts";

// Both modes on two accelerators, pp and two KV formats: 30,848 configurations, so two chunks.
const spec = planSpec({
  hardwareNames: ["H100", "H200"],
  budget: { gpus: 16, gpusPerHardware: [null, null] },
  axes: {
    tp: [1, 2, 4, 8],
    pp: [1, 2],
    batch: [8, 32, 128, 512],
    prefillReplicas: [1, 2, 3, 4],
    decodeReplicas: [1, 2, 3, 4, 5],
    kvDtype: ["bf16", "fp8"],
  },
  slo: { ttftMs: 400, tpotMs: 12, percentile: 90 },
  objective: "cost",
});
const size = new PlanSpace(spec).size();

describe("runPlan", () => {
  const events: string[] = [];
  const progress: [number, number][] = [];
  let rowCount = 0;
  const indices: number[] = [];
  const result = runPlan(spec, {
    progress: (done, total) => progress.push([done, total]),
    swept: (summary) => events.push(`swept ${summary.evaluated}`),
    rechecked: (done, total) => events.push(`rechecked ${done}/${total}`),
    rows: (table) => {
      const index = table.find((c) => c.name === "index");
      const n = index?.data.length ?? 0;
      rowCount += n;
      for (let k = 0; k < n; k++) indices.push(Number(index?.data[k]));
    },
  });

  it("equals the sequence done by hand on one unchunked sweep: same summary, re-checks and pick", () => {
    expect(sweepChunks(size).length).toBe(2);
    const summary = sweepRange(new PlanEvaluator(spec), 0, size).summary;
    const rechecks = recheckPicks(spec, summary).map((c) => recheckCandidate(spec, c));
    const byHand = recommend(spec, summary, rechecks, specHash(spec), size);
    expect(result).toEqual(byHand);
    expect(planResult(spec, summary, rechecks)).toEqual(byHand);
    expect(result.spaceSize).toBe(size);
    expect(result.summary.evaluated).toBe(size);
    expect(result.rechecks).toHaveLength(2);
    expect(result.recommended?.candidate.status).toBe("ok");
    expect(result.recommended?.reasons.join(" ")).toMatch(/lowest cost among/);
  });

  it("reports progress from 0 to every configuration, then the sweep, then each re-check", () => {
    expect(progress[0]).toEqual([0, size]);
    expect(progress.at(-1)).toEqual([size, size]);
    expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
    expect(events).toEqual([`swept ${size}`, "rechecked 0/2", "rechecked 1/2", "rechecked 2/2"]);
  });

  it("gives every configuration's row once, in index order", () => {
    expect(rowCount).toBe(size);
    expect(indices.every((index, k) => index === k)).toBe(true);
  });

  it("is deterministic", () => {
    expect(runPlan(spec)).toEqual(result);
  });

  it("an empty space is bad input naming the cause", () => {
    const empty = planSpec({
      axes: { modes: ["disaggregated"], prefillReplicas: [2], decodeReplicas: [2, 4] },
    });
    expect(() => runPlan(empty)).toThrow(InputError);
    try {
      planSpaceOf(empty);
      expect.unreachable();
    } catch (error) {
      expect((error as InputError).issues).toEqual([
        {
          code: "invalid-value",
          path: ["prefillReplicas"],
          message:
            "every xPyD pair of prefill replicas 2 and decode replicas 2,4 has a common factor (2P2D is 1P1D twice); include coprime counts",
        },
      ]);
    }
  });
});

describe("sweepChunks", () => {
  it("chunks cover [0, size) contiguously, more of them for more threads on a big space", () => {
    for (const [n, threads] of [
      [0, 1],
      [1, 1],
      [30_848, 1],
      [14_646_660, 1],
      [14_646_660, 2],
    ] as const) {
      const chunks = sweepChunks(n, { index: 0, count: 1 }, threads);
      expect(chunks.flat()).toEqual(
        chunks.length === 0 ? [] : [0, ...chunks.slice(0, -1).flatMap(([, to]) => [to, to]), n],
      );
    }
    expect(sweepChunks(14_646_660, { index: 0, count: 1 }, 1)).toHaveLength(32);
    expect(sweepChunks(14_646_660, { index: 0, count: 1 }, 2)).toHaveLength(64);
  });
});
