import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hardware, ROUND_GPU } from "../../../test/helpers/fixtures.ts";
import { measuredSibling, sameInterconnect, sameTensorSilicon } from "../hardware/same-silicon.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import { collectiveOp } from "../ops/collective.ts";
import { norm } from "../ops/elementwise.ts";
import { gemm, groupedGemm } from "../ops/gemm.ts";
import { mlaAbsorbedAttention } from "../ops/mla.ts";
import type { Op } from "../ops/types.ts";
import { buildFamilies, holdOutErrors, holdOutFolds, type Measurement } from "./calibrate.ts";
import { curveMs, fitCurve } from "./curve.ts";
import type { KernelFamily } from "./family.ts";
import { familyVariant, featureSpaceOf, writeFeatures } from "./features.ts";
import { buildGrid, gridValue, insideGrid, onMeasuredNode } from "./grid.ts";
import { familyPredictor } from "./measured.ts";
import { familiesOfDocument, toPredictorDocument } from "./predictor-file.ts";

const bf16Gemm = (m: number, n: number, k: number, name = "gemm"): Op =>
  gemm({ name, m, n, k, weightDtype: "bf16", activationDtype: "bf16", computeDtype: "bf16", formula: "" });
const at = (...x: number[]) => Float64Array.from(x);

describe("efficiency curve", () => {
  it("adds the overhead to the p-norm of the two efficiency-scaled roofs", () => {
    // 2 µs + ((1 ms / 0.5)^2 + (0.5 ms / 1)^2)^(1/2) = 0.002 + sqrt(4.25) = 2.063556 ms
    const curve = { overheadUs: 2, computeEfficiency: 0.5, memoryEfficiency: 1, sharpness: 2 };
    expect(curveMs(curve, 1, 0.5)).toBeCloseTo(0.002 + Math.sqrt(4.25), 9);
    // q = ∞ is the plain roofline: max(2, 0.5)
    expect(curveMs({ ...curve, sharpness: Number.POSITIVE_INFINITY }, 1, 0.5)).toBeCloseTo(2.002, 9);
  });

  it("recovers the parameters of data it generated", () => {
    const truth = { overheadUs: 5, computeEfficiency: 0.7, memoryEfficiency: 0.85, sharpness: 1.5 };
    const compute = new Float64Array(400);
    const memory = new Float64Array(400);
    const measured = new Float64Array(400);
    for (let i = 0; i < 400; i++) {
      compute[i] = 10 ** (-4 + (i % 20) / 4);
      memory[i] = 10 ** (-4 + Math.floor(i / 20) / 4);
      measured[i] = curveMs(truth, compute[i] as number, memory[i] as number);
    }
    const fit = fitCurve(compute, memory, measured);
    expect(fit.overheadUs).toBeCloseTo(5, 1);
    expect(fit.computeEfficiency).toBeCloseTo(0.7, 3);
    expect(fit.memoryEfficiency).toBeCloseTo(0.85, 3);
    expect(fit.sharpness).toBeCloseTo(1.5, 2);
  });
});

describe("correction grid", () => {
  it("reproduces its points and interpolates linearly between knots", () => {
    // 1-D: value 1 at x=0, 3 at x=2 -> 2 at x=1; clamped outside
    const grid = buildGrid(at(0, 2), 1, at(1, 3));
    expect(gridValue(grid, at(0))).toBe(1);
    expect(gridValue(grid, at(1))).toBeCloseTo(2, 12);
    expect(gridValue(grid, at(5))).toBe(3);
    expect(insideGrid(grid, at(5))).toBe(false);
    expect(onMeasuredNode(grid, at(2))).toBe(true);
    expect(onMeasuredNode(grid, at(1))).toBe(false);
  });

  it("keeps neighbouring sizes apart and its own edges inside (M = 4096 vs 4097, N = 22016)", () => {
    const grid = buildGrid(at(Math.log2(4096), Math.log2(4097), Math.log2(22016)), 1, at(0.1, 0.2, 0.3));
    expect(gridValue(grid, at(Math.log2(4096)))).toBeCloseTo(0.1, 12);
    expect(gridValue(grid, at(Math.log2(4097)))).toBeCloseTo(0.2, 12);
    expect(insideGrid(grid, at(Math.log2(22016)))).toBe(true);
    expect(onMeasuredNode(grid, at(Math.log2(22016)))).toBe(true);
  });

  it("beyond 512 distinct values per axis merges points, and merged cells are not called measured", () => {
    const n = 600;
    const grid = buildGrid(
      Float64Array.from({ length: n }, (_, i) => i),
      1,
      Float64Array.from({ length: n }, (_, i) => i % 7),
    );
    expect(grid.knots[0]?.length).toBeLessThanOrEqual(512);
    let measured = 0;
    for (let i = 0; i < n; i++)
      if (onMeasuredNode(grid, at(i))) {
        measured++;
        expect(gridValue(grid, at(i))).toBeCloseTo(i % 7, 12);
      }
    expect(measured).toBeGreaterThan(0);
    expect(measured).toBeLessThan(n);
  });

  it("is exact for a function linear in each axis, with missing cells filled", () => {
    const f = (x: number, y: number, z: number) => 1 + 2 * x - y + 0.5 * z;
    const points: number[] = [];
    const values: number[] = [];
    for (const x of [0, 1, 3])
      for (const y of [0, 2])
        for (const z of [0, 1, 4]) {
          if (x === 1 && y === 2 && z === 1) continue; // a hole the fill must close
          points.push(x, y, z);
          values.push(f(x, y, z));
        }
    const grid = buildGrid(Float64Array.from(points), 3, Float64Array.from(values));
    expect(gridValue(grid, at(1, 2, 1))).toBeCloseTo(f(1, 2, 1), 12);
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        (x, y, z) => {
          expect(gridValue(grid, at(x, y, z))).toBeCloseTo(f(x, y, z), 9);
        },
      ),
    );
  });
});

/** Synthetic kernel times of a known curve with a shape-dependent bump, on the round GPU. */
function synthetic(names: readonly string[], scale = (_m: number) => 1): Measurement[] {
  const truth = { overheadUs: 4, computeEfficiency: 0.6, memoryEfficiency: 0.8, sharpness: 2 };
  const out: Measurement[] = [];
  for (const name of names)
    for (const m of [1, 4, 16, 64, 256, 1024, 4096])
      for (const n of [1024, 4096])
        for (const k of [1024, 8192]) {
          const op = bf16Gemm(m, n, k, name);
          const computeMs = (op.flops / 1e15) * 1e3;
          const memoryMs =
            ((op.bytesRead + op.bytesWritten) / (ROUND_GPU.hbmBandwidthBytesPerSec as number)) * 1e3;
          out.push({
            hardware: "round",
            op,
            latencyMs: curveMs(truth, computeMs, memoryMs) * scale(m),
            group: `${name}-${n}`,
            source: "synthetic",
          });
        }
  return out;
}
const hardwareOf = () => ROUND_GPU;

describe("measured-table and calibrated predictors", () => {
  it("table: reproduces a measured shape, interpolates between shapes, extrapolates outside", () => {
    const measurements = synthetic(["gemm"], (m) => (m === 256 ? 1.3 : 1));
    const table = familyPredictor("table", "table", buildFamilies(measurements, hardwareOf, "table"));
    const measured = measurements.find(
      (m) => m.op.shape?.m === 256 && m.op.shape.n === 4096 && m.op.shape.k === 8192,
    ) as Measurement;
    const exact = table.predict(measured.op, ROUND_GPU);
    expect(exact.source).toBe("measured");
    expect(exact.inEnvelope).toBe(true);
    expect(exact.ms).toBeCloseTo(measured.latencyMs, 9);
    expect(table.predict(bf16Gemm(100, 2000, 3000), ROUND_GPU).source).toBe("interpolated");
    const outside = table.predict(bf16Gemm(100, 2000, 65536), ROUND_GPU);
    expect(outside).toMatchObject({ source: "extrapolated", inEnvelope: false });
  });

  it("serves each accelerator its own families when ops alternate between two", () => {
    // The same shapes on a second GPU, measured twice as slow: each op must get its own GPU's table.
    const other: HardwareSpec = { ...ROUND_GPU, name: "other" };
    const measurements = [
      ...synthetic(["gemm"]),
      ...synthetic(["gemm"]).map((m) => ({ ...m, hardware: "other", latencyMs: m.latencyMs * 2 })),
    ];
    const table = familyPredictor(
      "table",
      "table",
      buildFamilies(measurements, (name) => (name === "other" ? other : ROUND_GPU), "table"),
    );
    const op = bf16Gemm(256, 4096, 8192);
    const onRound = measurements.find(
      (m) =>
        m.hardware === "round" && m.op.shape?.m === 256 && m.op.shape.n === 4096 && m.op.shape.k === 8192,
    ) as Measurement;
    for (let i = 0; i < 3; i++) {
      expect(table.predict(op, ROUND_GPU).ms).toBeCloseTo(onRound.latencyMs, 9);
      expect(table.predict(op, other).ms).toBeCloseTo(2 * onRound.latencyMs, 9);
    }
    expect(table.predict(op, { ...ROUND_GPU, name: "unmeasured" }).source).toBe("roofline");
    expect(table.predict(op, ROUND_GPU).source).toBe("measured");
  });

  it("calibrated: predicts unseen shapes of a smooth family closely and labels them", () => {
    const measurements = synthetic(["gemm"]);
    const predictor = familyPredictor(
      "calibrated",
      "calibrated",
      buildFamilies(measurements, hardwareOf, "calibrated"),
    );
    const op = bf16Gemm(100, 2000, 3000);
    const truth = curveMs(
      { overheadUs: 4, computeEfficiency: 0.6, memoryEfficiency: 0.8, sharpness: 2 },
      (op.flops / 1e15) * 1e3,
      ((op.bytesRead + op.bytesWritten) / 2e12) * 1e3,
    );
    const timing = predictor.predict(op, ROUND_GPU);
    expect(timing.source).toBe("calibrated");
    expect(Math.abs(timing.ms / truth - 1)).toBeLessThan(0.01);
  });

  it("prefers the op's own family, then its kind's, else the fallback roofline", () => {
    const families = buildFamilies(
      [...synthetic(["mlp_up"], () => 2), ...synthetic(["mlp_down"])],
      hardwareOf,
      "table",
    );
    expect(families.map((f) => `${f.level}:${f.key}`).sort()).toEqual([
      "kind:gemm",
      "op:mlp_down",
      "op:mlp_up",
    ]);
    const predictor = familyPredictor("t", "table", families);
    const up = predictor.predict(bf16Gemm(64, 4096, 1024, "mlp_up"), ROUND_GPU).ms;
    const down = predictor.predict(bf16Gemm(64, 4096, 1024, "mlp_down"), ROUND_GPU).ms;
    expect(up / down).toBeCloseTo(2, 6);
    expect(predictor.predict(bf16Gemm(64, 4096, 1024, "o_proj"), ROUND_GPU).source).toBe("measured");
    const unknownHardware = predictor.predict(bf16Gemm(64, 4096, 1024), { ...ROUND_GPU, name: "other" });
    expect(unknownHardware).toMatchObject({ source: "roofline", inEnvelope: null });
    expect(predictor.predict(norm("attn_norm", 8, 4096, "bf16"), ROUND_GPU).source).toBe("roofline");
  });

  it("weight-only GEMMs form their own family, and borrow their compute format's when unmeasured", () => {
    const w4a16 = (m: number, n: number, k: number): Op =>
      gemm({
        name: "gemm",
        m,
        n,
        k,
        weightDtype: "int4",
        activationDtype: "bf16",
        computeDtype: "bf16",
        formula: "",
      });
    expect(familyVariant(w4a16(1, 1024, 1024))).toBe("weights-int4");
    expect(familyVariant(bf16Gemm(1, 1024, 1024))).toBe("");
    // FP8 weights on FP8 tensor cores are not weight-only.
    expect(
      familyVariant(
        gemm({
          name: "g",
          m: 1,
          n: 8,
          k: 8,
          weightDtype: "fp8",
          activationDtype: "bf16",
          computeDtype: "fp8",
          formula: "",
        }),
      ),
    ).toBe("");
    const plain = synthetic(["gemm"]);
    // The same shapes, weight-only, measured three times slower: a shared family would average them.
    const weightOnly = plain.map((m) => {
      const shape = m.op.shape as NonNullable<Op["shape"]>;
      return { ...m, op: w4a16(shape.m, shape.n, shape.k), latencyMs: m.latencyMs * 3 };
    });
    const both = familyPredictor("t", "table", buildFamilies([...plain, ...weightOnly], hardwareOf, "table"));
    const sample = plain[9] as Measurement;
    const shape = sample.op.shape as NonNullable<Op["shape"]>;
    expect(both.predict(sample.op, ROUND_GPU).ms).toBeCloseTo(sample.latencyMs, 9);
    expect(both.predict(w4a16(shape.m, shape.n, shape.k), ROUND_GPU).ms).toBeCloseTo(sample.latencyMs * 3, 9);
    // With only BF16 measured, the W4A16 GEMM uses the BF16 family's efficiency over its own roofs.
    const bf16Only = familyPredictor("t", "table", buildFamilies(plain, hardwareOf, "table"));
    const borrowed = bf16Only.predict(w4a16(shape.m, shape.n, shape.k), ROUND_GPU);
    expect(borrowed).toMatchObject({ source: "extrapolated", inEnvelope: false });
    // 16 x 1024 x 8192 is weight-bound: int4 weights are a quarter of BF16's bytes.
    expect(shape).toEqual({ m: 16, n: 1024, k: 8192 });
    expect(borrowed.ms / sample.latencyMs).toBeGreaterThan(0.2);
    expect(borrowed.ms / sample.latencyMs).toBeLessThan(0.3);
  });

  it("block-scaled FP8 GEMMs form their own family, and borrow per-tensor FP8's when unmeasured", () => {
    const fp8 = (m: number, n: number, k: number, block: readonly [number, number] | null): Op =>
      gemm({
        name: "gemm",
        m,
        n,
        k,
        weightDtype: "fp8",
        activationDtype: "bf16",
        computeDtype: "fp8",
        weightBlockSize: block,
        formula: "",
      });
    expect(familyVariant(fp8(1, 1024, 1024, [128, 128]))).toBe("block-128x128");
    expect(familyVariant(fp8(1, 1024, 1024, null))).toBe("");
    // Only FP8 weights carry a block: a BF16 GEMM given one is plain BF16.
    expect(
      gemm({
        name: "g",
        m: 1,
        n: 8,
        k: 8,
        weightDtype: "bf16",
        activationDtype: "bf16",
        computeDtype: "bf16",
        weightBlockSize: [128, 128],
        formula: "",
      }).weightBlockSize,
    ).toBe(null);
    // Per-tensor FP8 measured at the synthetic shapes; block-scaled FP8 measured 1.5x slower.
    const perTensor = synthetic(["gemm"]).map((m) => {
      const shape = m.op.shape as NonNullable<Op["shape"]>;
      return { ...m, op: fp8(shape.m, shape.n, shape.k, null) };
    });
    const blocked = perTensor.map((m) => {
      const shape = m.op.shape as NonNullable<Op["shape"]>;
      return { ...m, op: fp8(shape.m, shape.n, shape.k, [128, 128]), latencyMs: m.latencyMs * 1.5 };
    });
    const sample = perTensor[9] as Measurement;
    const shape = sample.op.shape as NonNullable<Op["shape"]>;
    const both = familyPredictor(
      "t",
      "table",
      buildFamilies([...perTensor, ...blocked], hardwareOf, "table"),
    );
    expect(both.predict(sample.op, ROUND_GPU).ms).toBeCloseTo(sample.latencyMs, 9);
    const own = both.predict(fp8(shape.m, shape.n, shape.k, [128, 128]), ROUND_GPU);
    expect(own).toMatchObject({ source: "measured", inEnvelope: true });
    expect(own.ms).toBeCloseTo(sample.latencyMs * 1.5, 9);
    // Another block size has no family: it borrows per-tensor FP8's, outside the data.
    const other = both.predict(fp8(shape.m, shape.n, shape.k, [1, 128]), ROUND_GPU);
    expect(other).toMatchObject({ source: "extrapolated", inEnvelope: false });
    expect(other.ms).toBeCloseTo(sample.latencyMs, 9);
  });

  it("families that differ only in feature space each price the ops that have their features", () => {
    // MLA decode measured twice: shaped (as a kernel table's rows) and shapeless (llmsim CSV rows,
    // FLOPs and bytes only), the same op name, variant and class.
    const args = {
      sequences: 8,
      heads: 16,
      kvLoraRank: 512,
      qkNopeHeadDim: 128,
      qkRopeHeadDim: 64,
      vHeadDim: 128,
      kvDtype: "bf16" as const,
      activationDtype: "bf16" as const,
      computeDtype: "bf16" as const,
    };
    const shaped = (keys: number) => mlaAbsorbedAttention(args, 1, keys, keys, "attention_decode");
    const shapeless = (keys: number): Op => {
      const { attention: _attention, ...rest } = shaped(keys);
      return rest;
    };
    const keys = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768];
    const measured = (op: Op, ms: number): Measurement => ({
      hardware: "round",
      op,
      latencyMs: ms,
      group: "g",
      source: "synthetic",
    });
    const families = buildFamilies(
      [
        ...keys.map((k) => measured(shaped(k), k / 1000)),
        ...keys.map((k) => measured(shapeless(k), (2 * k) / 1000)),
      ],
      hardwareOf,
      "table",
    );
    expect(
      families
        .filter((f) => f.key === "attention_decode")
        .map((f) => f.space)
        .sort(),
    ).toEqual(["attention-shape", "flops-bytes"]);
    const table = familyPredictor("t", "table", families);
    expect(table.predict(shaped(1024), ROUND_GPU).ms).toBeCloseTo(1.024, 9);
    expect(table.predict(shapeless(1024), ROUND_GPU).ms).toBeCloseTo(2.048, 9);
  });

  it("round-trips through the predictor file", () => {
    const families = buildFamilies(synthetic(["gemm"]), hardwareOf, "calibrated");
    const document = JSON.parse(JSON.stringify(toPredictorDocument(families, ["x.csv"])));
    const a = familyPredictor("a", "calibrated", families);
    const b = familyPredictor("b", "calibrated", familiesOfDocument(document));
    const op = bf16Gemm(100, 2000, 3000);
    expect(b.predict(op, ROUND_GPU).ms / a.predict(op, ROUND_GPU).ms).toBeCloseTo(1, 4);
  });

  it("reads a file's legacy gemm_fp8_block family as the GEMM pool of variant block-128x128", () => {
    const [family] = buildFamilies(synthetic(["gemm"]), hardwareOf, "calibrated");
    const legacy = JSON.parse(JSON.stringify(toPredictorDocument([family as KernelFamily], [])));
    legacy.families[0] = { ...legacy.families[0], key: "gemm_fp8_block", level: "op", variant: "" };
    expect(familiesOfDocument(legacy)[0]).toMatchObject({
      key: "gemm",
      level: "kind",
      variant: "block-128x128",
    });
  });
});

describe("hold-out", () => {
  const measurements = synthetic(["mlp_up", "mlp_down"]);
  it("leave-one-group-out folds partition the data, one fold per group", () => {
    const folds = holdOutFolds(measurements, { by: "group" });
    expect(folds).toHaveLength(4);
    expect(folds.reduce((n, f) => n + f.test.length, 0)).toBe(measurements.length);
    for (const fold of folds) expect(fold.train.length + fold.test.length).toBe(measurements.length);
  });
  it("leaving one group out needs two groups", () => {
    const one = measurements.map((m) => ({ ...m, group: "only" }));
    expect(() => holdOutFolds(one, { by: "group" })).toThrow(/needs at least 2 groups/);
  });
  it("a fraction hold-out holds out that share of distinct shapes, reproducibly", () => {
    const [fold] = holdOutFolds(measurements, { by: "fraction", fraction: 0.25, seed: 3 });
    expect(fold?.test.length).toBe(Math.round(measurements.length * 0.25));
    const [again] = holdOutFolds(measurements, { by: "fraction", fraction: 0.25, seed: 3 });
    expect(again?.test.map((m) => m.op.shape)).toEqual(fold?.test.map((m) => m.op.shape));
  });
  it("scores a smooth family's held-out shapes within a percent", () => {
    const { errors } = holdOutErrors(measurements, hardwareOf, { by: "fraction", fraction: 0.2, seed: 1 });
    for (const row of errors) for (const e of row.signed) expect(Math.abs(e)).toBeLessThan(0.05);
  });
});

describe("feature spaces", () => {
  it("indexes a grouped (MoE) GEMM by rows per touched expert, N and K; a plain GEMM by M, N, K", () => {
    const experts = groupedGemm({
      name: "experts_up",
      m: 1024,
      n: 4096,
      k: 7168,
      matricesRead: 8,
      weightDtype: "fp8",
      activationDtype: "bf16",
      computeDtype: "fp8",
      formula: "",
    });
    expect(featureSpaceOf(experts)).toBe("grouped-gemm-shape");
    const out = new Float64Array(3);
    writeFeatures(experts, "grouped-gemm-shape", out);
    expect([...out]).toEqual([7, 12, Math.log2(7168)]); // 1024 rows / 8 experts = 128 = 2^7
    expect(featureSpaceOf(bf16Gemm(1024, 4096, 7168))).toBe("gemm-shape");
    writeFeatures(bf16Gemm(1024, 4096, 7168), "gemm-shape", out);
    expect([...out]).toEqual([10, 12, Math.log2(7168)]);
  });
});

describe("batched GEMMs", () => {
  // MLA's absorbed W_UK on 16 heads per GPU, 32 tokens: one kernel over 16 per-head GEMMs.
  const bmmArgs = {
    name: "q_absorb_decode",
    m: 32,
    n: 512,
    k: 128,
    weightDtype: "bf16",
    activationDtype: "bf16",
    computeDtype: "bf16",
    formula: "",
  } as const;
  const bmm = gemm({ ...bmmArgs, batch: 16 });
  it("index by batch, M, N, K, apart from plain GEMMs", () => {
    expect(featureSpaceOf(bmm)).toBe("batched-gemm-shape");
    const out = new Float64Array(4);
    writeFeatures(bmm, "batched-gemm-shape", out);
    expect([...out]).toEqual([4, 5, 9, 7]);
    expect(bmm.flops).toBe(2 * 16 * 32 * 512 * 128);
    expect(featureSpaceOf(bf16Gemm(32, 512, 128))).toBe("gemm-shape");
  });
  it("are not priced by a plain GEMM table (one slice's time is not the batch's): the roofline prices them", () => {
    // A plain GEMM table 4x slower than the roofline everywhere, with the slice's shape on a node.
    const h100 = hardware("H100");
    const roofline = familyPredictor("r", "table", []);
    const table: Measurement[] = [];
    for (const m of [16, 32, 64])
      for (const n of [256, 512, 1024])
        for (const k of [64, 128, 256]) {
          const op = bf16Gemm(m, n, k);
          table.push({
            hardware: "H100-SXM",
            op,
            latencyMs: 4 * roofline.predict(op, h100).ms,
            group: "",
            source: "",
          });
        }
    const predictor = familyPredictor(
      "t",
      "table",
      buildFamilies(table, () => h100, "table"),
    );
    expect(predictor.predict(bf16Gemm(32, 512, 128), h100).source).toBe("measured");
    const timing = predictor.predict(bmm, h100);
    expect(timing.source).toBe("roofline");
    expect(timing.ms).toBeCloseTo(roofline.predict(bmm, h100).ms, 12);
    // With batched measurements of its own name, those price it.
    const batched: Measurement[] = [];
    for (const heads of [8, 16, 32])
      for (const m of [16, 32, 64]) {
        const op = gemm({ ...bmmArgs, m, batch: heads });
        batched.push({ hardware: "H100-SXM", op, latencyMs: 0.01, group: "", source: "" });
      }
    const own = familyPredictor(
      "t",
      "table",
      buildFamilies([...table, ...batched], () => h100, "table"),
    );
    expect(own.predict(bmm, h100)).toMatchObject({ source: "measured", inEnvelope: true });
    expect(own.predict(bmm, h100).ms).toBeCloseTo(0.01, 9);
  });
});

describe("same tensor silicon", () => {
  it("pairs accelerators whose dense peaks agree within 1% in every format both list", () => {
    const h100 = hardware("H100");
    expect(sameTensorSilicon(h100, hardware("H800"))).toBe(true); // 989.4 vs 990 TFLOPS BF16
    expect(sameTensorSilicon(h100, hardware("H200"))).toBe(true);
    expect(sameTensorSilicon(hardware("A100-SXM4-40GB"), hardware("A100-SXM4-80GB"))).toBe(true);
    expect(sameTensorSilicon(h100, hardware("H20"))).toBe(false);
    expect(sameTensorSilicon(hardware("B200"), hardware("B300-HGX"))).toBe(false); // FP4 9,000 vs 13,125
    expect(sameTensorSilicon(hardware("B200"), hardware("GB200-NVL72"))).toBe(false); // BF16 2,250 vs 2,500
    const noBf16 = { ...h100, peakFlopsPerSec: { fp8: 1979e12 } };
    expect(sameTensorSilicon(noBf16, h100)).toBe(false);
  });

  it("picks the measured sibling with the closest HBM bandwidth", () => {
    const h200 = hardware("H200"); // 4.8 TB/s
    expect(measuredSibling(h200, [hardware("H100"), hardware("GH200-144GB"), hardware("H20")])).toBe(
      "GH200-144GB",
    );
    expect(measuredSibling(h200, [hardware("H20")])).toBeUndefined();
  });

  it("a predictor prices a sibling's ops from the measured families, on the sibling's own roofs, labelled transferred", () => {
    const h100 = hardware("H100");
    const h200 = hardware("H200");
    const truth = { overheadUs: 0, computeEfficiency: 0.7, memoryEfficiency: 0.8, sharpness: 8 };
    const measurements: Measurement[] = [];
    for (const m of [1, 4, 16, 64, 256, 1024, 4096])
      for (const n of [1024, 4096])
        for (const k of [1024, 8192]) {
          const op = bf16Gemm(m, n, k);
          const computeMs = (op.flops / (h100.peakFlopsPerSec.bf16 as number)) * 1e3;
          const memoryMs =
            ((op.bytesRead + op.bytesWritten) / (h100.hbmBandwidthBytesPerSec as number)) * 1e3;
          measurements.push({
            hardware: h100.name,
            op,
            latencyMs: curveMs(truth, computeMs, memoryMs),
            group: "g",
            source: "s",
          });
        }
    const families = buildFamilies(measurements, () => h100, "calibrated");
    const lookup = (name: string) =>
      name === h200.name ? { name: h100.name, transferred: true } : { name, transferred: false };
    const predictor = familyPredictor("calibrated", "calibrated", families, undefined, lookup);
    // Memory-bound at M = 4: the H200's 4.8 TB/s at the measured 80%, not the H100's 3.35.
    const op = bf16Gemm(4, 4096, 8192);
    const onH200 = predictor.predict(op, h200);
    expect(onH200.source).toBe("transferred");
    expect(onH200.inEnvelope).toBe(true);
    const bytes = op.bytesRead + op.bytesWritten;
    expect(onH200.ms).toBeCloseTo(((bytes / (h200.hbmBandwidthBytesPerSec as number)) * 1e3) / 0.8, 3);
    expect(predictor.predict(op, h100).source).toBe("calibrated");
  });
});

describe("measured collectives", () => {
  const h100 = hardware("H100");
  const tp8 = { size: 8, membersPerDomain: 8, domains: 1 };
  // Synthetic NCCL-like all-reduce timings: 15 µs + 2(g-1)/g · n / 380 GB/s.
  const measuredMs = (bytes: number) => 0.015 + ((2 * 7) / 8) * (bytes / 380e9) * 1e3;
  const sizes = Array.from({ length: 16 }, (_, i) => 2 ** (10 + i));
  const measurements: Measurement[] = sizes.map((bytes) => ({
    hardware: h100.name,
    op: collectiveOp("collective", "all-reduce", bytes, tp8, ""),
    latencyMs: measuredMs(bytes),
    group: "nccl",
    source: "s",
  }));
  const lookup = (name: string) =>
    name === "H200-SXM" || name === "H800-SXM"
      ? { name: h100.name, transferred: true, sameInterconnect: sameInterconnect(hardware(name), h100) }
      : { name, transferred: false };

  it("indexes a collective by payload, group and domains, in a family per kind, library and tier", () => {
    const op = collectiveOp("attn_all_reduce", "all-reduce", 2 ** 20, tp8, "");
    expect(featureSpaceOf(op)).toBe("collective");
    const out = new Float64Array(5);
    writeFeatures(op, "collective", out);
    expect([...out.subarray(0, 3)]).toEqual([20, 3, 0]);
    expect(familyVariant(op)).toBe("all-reduce/nccl/scale-up");
    const dispatch = collectiveOp(
      "moe_dispatch",
      "all-to-all",
      1,
      { ...tp8, domains: 4 },
      "",
      null,
      0,
      "deepep-low-latency",
    );
    expect(familyVariant(dispatch)).toBe("all-to-all/deepep-low-latency/scale-out");
  });

  it("a table predictor reproduces a measured collective, and prices nothing its data does not cover", () => {
    const predictor = familyPredictor(
      "table",
      "table",
      buildFamilies(measurements, () => h100, "table"),
      undefined,
      lookup,
    );
    const tpAllReduce = collectiveOp("mlp_all_reduce", "all-reduce", 2 ** 20, tp8, "");
    const timing = predictor.predict(tpAllReduce, h100);
    expect(timing).toMatchObject({
      source: "measured",
      bound: "comm",
      inEnvelope: true,
      computeMs: 0,
      memoryMs: 0,
    });
    expect(timing.ms).toBeCloseTo(measuredMs(2 ** 20), 12);
    expect(timing.commMs).toBe(timing.ms);
    // Between two measured sizes: between their times.
    const between = predictor.predict(collectiveOp("x", "all-reduce", 1.5 * 2 ** 20, tp8, ""), h100);
    expect(between.source).toBe("interpolated");
    expect(between.ms).toBeGreaterThan(measuredMs(2 ** 20));
    expect(between.ms).toBeLessThan(measuredMs(2 ** 21));
    // Not NCCL's (DeepEP), another tier, or another kind: the roofline's alpha-beta time.
    const deepEp = collectiveOp("moe_dispatch", "all-reduce", 2 ** 20, tp8, "", null, 0, "deepep-normal");
    const acrossNodes = collectiveOp(
      "x",
      "all-reduce",
      2 ** 20,
      { size: 16, membersPerDomain: 8, domains: 2 },
      "",
    );
    const gather = collectiveOp("x", "all-gather", 2 ** 20, tp8, "");
    for (const op of [deepEp, acrossNodes, gather])
      expect(predictor.predict(op, h100).source).toBe("roofline");
    // The H200 has the H100's links and borrows its collectives; the H800's NVLink is 400 GB/s.
    expect(predictor.predict(tpAllReduce, hardware("H200")).source).toBe("transferred");
    expect(predictor.predict(tpAllReduce, hardware("H800")).source).toBe("roofline");
  });

  it("a calibrated family recovers the link efficiency and latency of the data", () => {
    const [family] = buildFamilies(measurements, () => h100, "calibrated");
    // ideal: 2·7/8 · n / 450 GB/s, measured at 380 GB/s -> efficiency 380/450; overhead 15 µs.
    expect(family?.curve.memoryEfficiency).toBeCloseTo(380 / 450, 3);
    expect(family?.curve.overheadUs).toBeCloseTo(15, 2);
  });

  it("holds out collectives by shape, not all at once", () => {
    const [fold] = holdOutFolds(measurements, { by: "fraction", fraction: 0.25, seed: 1 });
    expect(fold?.test.length).toBe(4);
    expect(fold?.train.length).toBe(12);
  });

  it("same links: the H100 and H200 (NVLink 450 GB/s, 8 per domain, 50 GB/s NIC), not the H800", () => {
    expect(sameInterconnect(h100, hardware("H200"))).toBe(true);
    expect(sameInterconnect(h100, hardware("H800"))).toBe(false);
  });
});
