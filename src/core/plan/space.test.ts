import { describe, expect, it } from "vitest";
import { planSpec } from "../../../test/helpers/plan.ts";
import { newCursor, PlanSpace, specHash } from "./space.ts";

describe("the configuration space", () => {
  it("keeps only roles the engine accepts: TP dividing the heads, dp 1 and one expert layout for dense models", () => {
    const spec = planSpec({ axes: { tp: [1, 2, 3, 4], dp: [1, 2, 4], experts: ["tp", "ep"] } });
    const space = new PlanSpace(spec);
    expect(space.roles.map((r) => `${r.tp}/${r.dp}/${r.experts}`)).toEqual(["1/1/tp", "2/1/tp", "4/1/tp"]);
  });

  it("MoE roles: every dp and layout, but no EP over a single GPU (the TP layout again), none over budget", () => {
    const spec = planSpec({
      modelId: "deepseek-ai/DeepSeek-V2-Lite",
      budget: { gpus: 8, gpusPerHardware: [null] },
      axes: { tp: [1, 2], dp: [1, 2, 4, 8], experts: ["tp", "ep"], overlap: ["none"] },
    });
    const roles = new PlanSpace(spec).roles.map((r) => `${r.tp}x${r.dp} ${r.experts}`);
    expect(roles).toEqual([
      "1x1 tp",
      "1x2 tp",
      "1x2 ep",
      "1x4 tp",
      "1x4 ep",
      "1x8 tp",
      "1x8 ep",
      "2x1 tp",
      "2x1 ep",
      "2x2 tp",
      "2x2 ep",
      "2x4 tp",
      "2x4 ep",
    ]);
  });

  it("has the size of its axes, xPyD pairs without a common factor, and decodes every index to a distinct configuration", () => {
    const spec = planSpec({
      axes: {
        prefillReplicas: [1, 2, 3, 4],
        decodeReplicas: [1, 2, 3, 4, 5, 6, 7, 8],
        kvDtype: ["bf16", "fp8"],
      },
    });
    const space = new PlanSpace(spec);
    // Coprime pairs of 1..4 x 1..8: 8 + 4 + 6 + 4 = 22.
    expect(space.pairs).toHaveLength(22);
    const roles = space.roles.length;
    expect(space.size()).toBe(2 * roles * 2 + 2 * roles * roles * 2 * 22);
    const seen = new Set<string>();
    const cursor = newCursor();
    for (let i = 0; i < space.size(); i++) {
      space.decode(i, cursor);
      seen.add(JSON.stringify(cursor));
      expect(space.at(i).index).toBe(i);
    }
    expect(seen.size).toBe(space.size());
    expect(() => space.at(space.size())).toThrow(RangeError);
  });

  it("a per-hardware limit drops the roles that exceed it", () => {
    const spec = planSpec({
      hardwareNames: ["H100", "H200"],
      budget: { gpus: 8, gpusPerHardware: [1, null] },
    });
    const roles = new PlanSpace(spec).roles.map((r) => `${spec.hardware[r.hardware]?.name} tp${r.tp}`);
    expect(roles).toEqual(["H100-SXM tp1", "H200-SXM tp1", "H200-SXM tp2"]);
  });

  it("the spec hash changes with any input and not otherwise", () => {
    expect(specHash(planSpec())).toBe(specHash(planSpec()));
    expect(specHash(planSpec({ axes: { batch: [8, 32] } }))).not.toBe(specHash(planSpec()));
    expect(specHash(planSpec())).toMatch(/^v2-[0-9a-f]{8}$/);
  });
});
