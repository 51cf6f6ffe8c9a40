import type { Mt19937 } from "./mt19937.ts";

/**
 * DéjàVu's arrivals (SPEC §2.3): `count` exponential gaps with mean 1/rps seconds are drawn up
 * front (NumPy legacy generator), scaled to µs; entries arrive in groups of `groupSize` sharing
 * one timestamp, group g+1 arriving gap_g after group g; entries past the last full group, and
 * every entry when rps = 0, arrive at t = 0. Times in µs.
 */
export function dejavuGroupArrivalsUs(
  count: number,
  groupSize: number,
  rps: number,
  random: Mt19937,
): Float64Array {
  const arrivals = new Float64Array(count);
  if (rps <= 0) return arrivals;
  const gaps = new Float64Array(count);
  for (let i = 0; i < count; i++) gaps[i] = random.exponential(1 / rps) * 1e6;
  const groups = Math.floor(count / groupSize);
  let start = 0;
  for (let g = 0; g < groups; g++) {
    for (let i = g * groupSize; i < (g + 1) * groupSize; i++) arrivals[i] = start;
    start += gaps[g] as number;
  }
  return arrivals;
}

/** Poisson arrivals: exponential gaps with mean 1/rate seconds, starting at 0 (first gap included). Seconds. */
export function poissonArrivalsSec(count: number, ratePerSec: number, random: Mt19937): Float64Array {
  const arrivals = new Float64Array(count);
  let t = 0;
  for (let i = 0; i < count; i++) {
    t += random.exponential(1 / ratePerSec);
    arrivals[i] = t;
  }
  return arrivals;
}

/**
 * Gamma-process arrivals (bursty when the coefficient of variation cv > 1): gaps ~ Gamma(shape
 * 1/cv², scale cv²/rate), so the mean rate is `ratePerSec`. Marsaglia-Tsang sampling. Seconds.
 */
export function gammaArrivalsSec(
  count: number,
  ratePerSec: number,
  cv: number,
  random: Mt19937,
): Float64Array {
  const shape = 1 / (cv * cv);
  const scale = (cv * cv) / ratePerSec;
  const arrivals = new Float64Array(count);
  let t = 0;
  for (let i = 0; i < count; i++) {
    t += sampleGamma(shape, random) * scale;
    arrivals[i] = t;
  }
  return arrivals;
}

function standardNormal(random: Mt19937): number {
  // Box-Muller; the second variate is discarded to keep the stream simple and deterministic.
  const u = 1 - random.nextDouble();
  const v = random.nextDouble();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function sampleGamma(shape: number, random: Mt19937): number {
  if (shape < 1) return sampleGamma(shape + 1, random) * random.nextDouble() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = standardNormal(random);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = random.nextDouble();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Constant-rate arrivals: request i at i / rate seconds. */
export function constantArrivalsSec(count: number, ratePerSec: number): Float64Array {
  const arrivals = new Float64Array(count);
  for (let i = 0; i < count; i++) arrivals[i] = i / ratePerSec;
  return arrivals;
}
