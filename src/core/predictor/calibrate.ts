import { type PeakClass, peakClassOf } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import { InputError } from "../issues.ts";
import type { Op } from "../ops/types.ts";
import { Mt19937 } from "../sim/mt19937.ts";
import { percentileOfSorted } from "../sim/serve/metrics.ts";
import { curveMs, type EfficiencyCurve, fitCurve } from "./curve.ts";
import { type IdealTimes, type KernelFamily, writeIdealTimes } from "./family.ts";
import {
  FEATURE_AXES,
  type FeatureSpace,
  familyVariant,
  featureSpaceOf,
  isNarrowingVariant,
  writeFeatures,
} from "./features.ts";
import { buildGrid } from "./grid.ts";
import { type FamilyMode, familyPredictor } from "./measured.ts";
import { DEFAULT_ROOFLINE_PARAMS } from "./roofline.ts";
import type { Predictor } from "./types.ts";

/** One measured kernel time: the op as the engine builds it, on a catalog accelerator. */
export interface Measurement {
  /** Catalog name of the accelerator. */
  readonly hardware: string;
  readonly op: Op;
  readonly latencyMs: number;
  /** What the measurement belongs to for hold-out (e.g. the model a profile was taken for). */
  readonly group: string;
  /** Where it came from: file and line. */
  readonly source: string;
}

export type HardwareOf = (name: string) => HardwareSpec;

/** Fewest measurements a family is fitted on. */
export const MIN_FAMILY_POINTS = 8;

interface Samples {
  readonly hardware: string;
  readonly key: string;
  readonly level: "op" | "kind";
  readonly peakClass: PeakClass;
  readonly variant: string;
  readonly space: FeatureSpace;
  readonly members: Measurement[];
}

/**
 * Groups measurements into op-name families and pooled op-kind families. A kind's pooled family is
 * built from its generic measurements (op name = kind, e.g. a GEMM table) when there are any on
 * that accelerator, class and feature space, else from all its named ops (e.g. MLA's batched
 * GEMMs pool apart from a plain GEMM table).
 */
function groupFamilies(measurements: readonly Measurement[]): Samples[] {
  const pool = (m: Measurement) =>
    `${m.hardware}\u0000${m.op.kind}\u0000${peakClassOf(m.op.computeDtype)}\u0000${featureSpaceOf(m.op)}`;
  const generic = new Set<string>();
  for (const m of measurements) if (m.op.name === m.op.kind) generic.add(pool(m));
  const groups = new Map<string, Samples>();
  const add = (m: Measurement, key: string, level: "op" | "kind") => {
    const peakClass = peakClassOf(m.op.computeDtype);
    const space = featureSpaceOf(m.op);
    const variant = familyVariant(m.op);
    const id = `${m.hardware}\u0000${level}\u0000${key}\u0000${peakClass}\u0000${variant}\u0000${space}`;
    let group = groups.get(id);
    if (!group) {
      group = { hardware: m.hardware, key, level, peakClass, variant, space, members: [] };
      groups.set(id, group);
    }
    group.members.push(m);
  };
  for (const m of measurements) {
    if (m.op.name === m.op.kind) {
      add(m, m.op.kind, "kind");
      continue;
    }
    add(m, m.op.name, "op");
    if (!generic.has(pool(m))) add(m, m.op.kind, "kind");
  }
  return [...groups.values()];
}

/**
 * The table predictor's base: the default roofline (plain max of the two roofs); for collectives,
 * the link efficiency of the tier they cross plus the lowest NCCL protocol latency (DeepEP's
 * normal kernels: their fixed cost, as the roofline charges), so that the base keeps a latency
 * floor below the smallest measured message.
 */
function rooflineCurve(space: FeatureSpace, sample: Op): EfficiencyCurve {
  const p = DEFAULT_ROOFLINE_PARAMS;
  if (sample.comm !== null)
    return {
      overheadUs:
        sample.comm.implementation === "deepep-normal"
          ? p.deepEpNormalLatencyUs
          : Math.min(...p.protocols.map((protocol) => protocol.baseLatencySec)) * 1e6,
      computeEfficiency: 1,
      memoryEfficiency: sample.comm.span.domains > 1 ? p.scaleOutEfficiency : p.scaleUpEfficiency,
      sharpness: Number.POSITIVE_INFINITY,
    };
  const attention = space === "flops-bytes" || space === "attention-shape";
  return {
    overheadUs: p.opOverheadUs,
    computeEfficiency: attention ? p.attentionComputeEfficiency : p.gemmComputeEfficiency,
    memoryEfficiency: attention ? p.attentionHbmEfficiency : p.hbmEfficiency,
    sharpness: Number.POSITIVE_INFINITY,
  };
}

/**
 * Builds kernel families from measurements: "calibrated" fits each family's efficiency curve and
 * a correction grid of the residuals; "table" keeps the roofline as base, so the grid holds the
 * measured / roofline ratios and nodes reproduce the measurements.
 */
export function buildFamilies(
  measurements: readonly Measurement[],
  hardwareOf: HardwareOf,
  mode: FamilyMode,
): KernelFamily[] {
  const families: KernelFamily[] = [];
  const ideal: IdealTimes = { computeMs: 0, memoryMs: 0 };
  for (const group of groupFamilies(measurements)) {
    const n = group.members.length;
    if (n < MIN_FAMILY_POINTS) continue;
    const hardware = hardwareOf(group.hardware);
    const computeMs = new Float64Array(n);
    const memoryMs = new Float64Array(n);
    const measuredMs = new Float64Array(n);
    group.members.forEach((m, i) => {
      writeIdealTimes(m.op, hardware, ideal);
      computeMs[i] = ideal.computeMs;
      memoryMs[i] = ideal.memoryMs;
      measuredMs[i] = m.latencyMs;
    });
    const curve =
      mode === "calibrated"
        ? fitCurve(computeMs, memoryMs, measuredMs)
        : rooflineCurve(group.space, (group.members[0] as Measurement).op);
    const dims = FEATURE_AXES[group.space].length;
    const points = new Float64Array(n * dims);
    const residuals = new Float64Array(n);
    const features = new Float64Array(5);
    group.members.forEach((m, i) => {
      writeFeatures(m.op, group.space, features);
      for (let axis = 0; axis < dims; axis++) points[i * dims + axis] = features[axis] as number;
      residuals[i] = Math.log(
        (measuredMs[i] as number) / curveMs(curve, computeMs[i] as number, memoryMs[i] as number),
      );
    });
    families.push({
      hardware: group.hardware,
      key: group.key,
      level: group.level,
      peakClass: group.peakClass,
      variant: group.variant,
      space: group.space,
      curve,
      grid: buildGrid(points, dims, residuals),
      points: n,
    });
  }
  return families;
}

/** How measurements are split to score predictions on data the fit did not see. */
export type HoldOut =
  | { readonly by: "group" }
  | { readonly by: "fraction"; readonly fraction: number; readonly seed: number };

/** Absolute-percentage-error statistics of a set of predictions. */
export interface ErrorSummary {
  readonly n: number;
  readonly medianAbsPct: number;
  readonly p90AbsPct: number;
  readonly meanAbsPct: number;
  /** Median signed error, % (positive: over-predicted). */
  readonly medianSignedPct: number;
  /** Predictions that fell outside the training data's envelope (extrapolated). */
  readonly outsideEnvelope: number;
  /** Predictions with no family to use (the roofline fallback). */
  readonly noData: number;
}

export function summarizeErrors(
  signed: readonly number[],
  outsideEnvelope: number,
  noData = 0,
): ErrorSummary {
  const abs = Float64Array.from(signed, (e) => Math.abs(e) * 100).sort();
  const sortedSigned = Float64Array.from(signed, (e) => e * 100).sort();
  return {
    n: signed.length,
    medianAbsPct: percentileOfSorted(abs, 0.5),
    p90AbsPct: percentileOfSorted(abs, 0.9),
    meanAbsPct: abs.reduce((s, v) => s + v, 0) / Math.max(1, abs.length),
    medianSignedPct: percentileOfSorted(sortedSigned, 0.5),
    outsideEnvelope,
    noData,
  };
}

/** Per-(hardware, op) errors of one evaluation. */
export interface OpErrors {
  readonly hardware: string;
  readonly op: string;
  readonly dtype: string;
  readonly signed: number[];
  outsideEnvelope: number;
  noData: number;
}

class ErrorTable {
  readonly rows = new Map<string, OpErrors>();
  add(m: Measurement, predictor: Predictor, hardwareOf: HardwareOf): void {
    const timing = predictor.predict(m.op, hardwareOf(m.hardware));
    // One op name's families are told apart by their variant: a collective's kind, library and
    // tier, an attention's KV format, a weight-only GEMM's weights, an FP8 GEMM's scale block.
    const variant = familyVariant(m.op);
    const op = variant === "" ? m.op.name : `${m.op.name} ${variant}`;
    const id = `${m.hardware}\u0000${op}\u0000${m.op.computeDtype}`;
    let row = this.rows.get(id);
    if (!row) {
      row = {
        hardware: m.hardware,
        op,
        dtype: m.op.computeDtype,
        signed: [],
        outsideEnvelope: 0,
        noData: 0,
      };
      this.rows.set(id, row);
    }
    row.signed.push(timing.ms / m.latencyMs - 1);
    if (timing.inEnvelope === false) row.outsideEnvelope++;
    else if (timing.inEnvelope === null) row.noData++;
  }
}

/** In-sample errors of a predictor on the measurements it was built from. */
export function fitErrors(
  measurements: readonly Measurement[],
  predictor: Predictor,
  hardwareOf: HardwareOf,
): OpErrors[] {
  const table = new ErrorTable();
  for (const m of measurements) table.add(m, predictor, hardwareOf);
  return [...table.rows.values()];
}

/** A stable key for "the same kernel shape" (fraction hold-out holds out shapes, not rows). */
function shapeKey(m: Measurement): string {
  const { op } = m;
  const a = op.attention;
  const c = op.comm;
  const variant = familyVariant(op);
  const shape = op.shape
    ? `${op.shape.batch === undefined ? "" : `${op.shape.batch}*`}${op.shape.m}x${op.shape.n}x${op.shape.k}${isNarrowingVariant(variant) ? `x${variant}` : ""}`
    : a
      ? `${a.sequences}x${a.queryTokens}x${a.contextTokens}x${a.heads}x${a.kvHeads}x${a.headDim}x${a.kvDtype}`
      : c
        ? `${variant}:${c.bytes}B${c.split ? `=${c.split.scaleUpBytes}+${c.split.scaleOutBytes}` : ""}:${c.span.size}/${c.span.domains}`
        : `${op.flops}/${op.bytesRead + op.bytesWritten}`;
  return `${m.hardware}|${op.name}|${op.computeDtype}|${shape}`;
}

/** The folds of a hold-out: each is (train, test). */
export function holdOutFolds(
  measurements: readonly Measurement[],
  holdOut: HoldOut,
): { readonly name: string; readonly train: Measurement[]; readonly test: Measurement[] }[] {
  if (holdOut.by === "group") {
    const groups = [...new Set(measurements.map((m) => m.group))].sort();
    if (groups.length < 2)
      throw new InputError([
        {
          code: "invalid-value",
          path: ["--hold-out"],
          message: `leaving one group out needs at least 2 groups, the measurements have ${groups.length} (${groups.map((g) => JSON.stringify(g)).join(", ")}); use a fraction such as 0.2`,
        },
      ]);
    return groups.map((group) => ({
      name: group,
      train: measurements.filter((m) => m.group !== group),
      test: measurements.filter((m) => m.group === group),
    }));
  }
  const keys = [...new Set(measurements.map(shapeKey))].sort();
  const random = new Mt19937(holdOut.seed);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = random.nextUint32() % (i + 1);
    [keys[i], keys[j]] = [keys[j] as string, keys[i] as string];
  }
  const held = new Set(keys.slice(0, Math.round(keys.length * holdOut.fraction)));
  return [
    {
      name: `${Math.round(holdOut.fraction * 100)}% of shapes (seed ${holdOut.seed})`,
      train: measurements.filter((m) => !held.has(shapeKey(m))),
      test: measurements.filter((m) => held.has(shapeKey(m))),
    },
  ];
}

/**
 * Scores calibration on data it did not see: for each fold, builds calibrated families from the
 * training part and predicts the held-out part.
 */
export function holdOutErrors(
  measurements: readonly Measurement[],
  hardwareOf: HardwareOf,
  holdOut: HoldOut,
): { readonly folds: string[]; readonly errors: OpErrors[] } {
  const table = new ErrorTable();
  const folds = holdOutFolds(measurements, holdOut);
  for (const fold of folds) {
    const predictor = familyPredictor(
      "calibrated",
      "calibrated",
      buildFamilies(fold.train, hardwareOf, "calibrated"),
    );
    for (const m of fold.test) table.add(m, predictor, hardwareOf);
  }
  return { folds: folds.map((f) => f.name), errors: [...table.rows.values()] };
}

/** The same families without their correction grids: what the fitted curves alone predict. */
export function withoutCorrection(families: readonly KernelFamily[]): KernelFamily[] {
  return families.map((f) => ({ ...f, grid: { ...f.grid, values: new Float64Array(f.grid.values.length) } }));
}
