import { levenbergMarquardt } from "ml-levenberg-marquardt";

/**
 * A kernel family's efficiency curve: time = overhead + smooth-max(compute time / computeEfficiency,
 * memory time / memoryEfficiency), with the p-norm smooth max of sharpness q (q = ∞ is the plain
 * roofline max). computeMs and memoryMs are at 100% of the datasheet peak and bandwidth. The p-norm
 * blends the two roofs near the ridge point, where real kernels are slower than either roof alone.
 */
export interface EfficiencyCurve {
  readonly overheadUs: number;
  readonly computeEfficiency: number;
  readonly memoryEfficiency: number;
  readonly sharpness: number;
}

/** Time of one kernel, ms, from its ideal compute and memory times. */
export function curveMs(curve: EfficiencyCurve, computeMs: number, memoryMs: number): number {
  const x = computeMs / curve.computeEfficiency;
  const y = memoryMs / curve.memoryEfficiency;
  const top = Math.max(x, y);
  if (top === 0) return curve.overheadUs / 1e3;
  const q = curve.sharpness;
  if (!Number.isFinite(q)) return curve.overheadUs / 1e3 + top;
  // top·((x/top)^q + (y/top)^q)^(1/q), the larger term being exactly 1; a lower roof whose power is
  // below 1e-12 of the other's changes the result by less than 1e-12 (relative), and is skipped.
  const lowerPow = (Math.min(x, y) / top) ** q;
  const blended = lowerPow < 1e-12 ? top : top * (1 + lowerPow) ** (1 / q);
  return curve.overheadUs / 1e3 + blended;
}

// Fitted in log space: θ = ln(overheadUs), ln(computeEff), ln(memoryEff), ln(sharpness).
const INITIAL = [Math.log(3), Math.log(0.7), Math.log(0.8), Math.log(2)];
const MIN = [Math.log(0.01), Math.log(0.01), Math.log(0.01), 0];
const MAX = [Math.log(1000), Math.log(2), Math.log(2), Math.log(16)];

const curveOf = (theta: readonly number[]): EfficiencyCurve => ({
  overheadUs: Math.exp(theta[0] as number),
  computeEfficiency: Math.exp(theta[1] as number),
  memoryEfficiency: Math.exp(theta[2] as number),
  sharpness: Math.exp(theta[3] as number),
});

/** Points the curve is fitted on: four parameters need far fewer than a profile's rows. */
const MAX_FIT_POINTS = 1500;

/**
 * Least-squares fit of the curve to measured times, on log time (every point weighs by its relative
 * error, since kernel times span orders of magnitude), by Levenberg-Marquardt on an evenly strided
 * sample of at most MAX_FIT_POINTS points.
 */
export function fitCurve(
  computeMs: Float64Array,
  memoryMs: Float64Array,
  measuredMs: Float64Array,
): EfficiencyCurve {
  const stride = Math.max(1, measuredMs.length / MAX_FIT_POINTS);
  const n = Math.min(measuredMs.length, MAX_FIT_POINTS);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = Math.floor(i * stride);
    y[i] = Math.log(measuredMs[x[i] as number] as number);
  }
  const fit = levenbergMarquardt(
    { x, y },
    (theta) => {
      const curve = curveOf(theta);
      return (i) => Math.log(curveMs(curve, computeMs[i] as number, memoryMs[i] as number));
    },
    {
      initialValues: INITIAL,
      minValues: MIN,
      maxValues: MAX,
      damping: 1e-2,
      gradientDifference: 1e-4,
      maxIterations: 50,
      errorTolerance: 1e-12,
    },
  );
  return curveOf(fit.parameterValues);
}
