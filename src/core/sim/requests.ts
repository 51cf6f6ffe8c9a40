import type { Mt19937 } from "./mt19937.ts";

/** Requests as parallel arrays (one index per request, sorted by arrival). */
export interface RequestSet {
  readonly arrivalSec: Float64Array;
  readonly promptTokens: Int32Array;
  readonly outputTokens: Int32Array;
}

/** A length distribution for prompts or outputs. */
export type LengthDistribution =
  | { readonly kind: "fixed"; readonly tokens: number }
  | {
      readonly kind: "lognormal";
      readonly median: number;
      readonly sigma: number;
      readonly min: number;
      readonly max: number;
    };

/**
 * "lmsys": log-normal prompt (median 35, σ 1.2, 1..4000) and output (median 140, σ 0.95,
 * 1..2000) lengths, the generator documented for the LMSYS-like DéjàVu trace
 * (shared/reference/dejavu/README.md), chosen there to match LMSYS-Chat-1M's published means.
 */
export const LMSYS_LIKE: { readonly prompt: LengthDistribution; readonly output: LengthDistribution } = {
  prompt: { kind: "lognormal", median: 35, sigma: 1.2, min: 1, max: 4000 },
  output: { kind: "lognormal", median: 140, sigma: 0.95, min: 1, max: 2000 },
};

/**
 * The most tokens one request's prompt or output may have: 100 M, beyond any model's context and
 * far below the 2^31 the simulators' Int32 token arrays hold.
 */
export const MAX_REQUEST_TOKENS = 100_000_000;

/**
 * A length distribution from its text form: "512" (fixed), "lmsys" (LMSYS_LIKE's `which` side) or
 * "lognormal:MEDIAN:SIGMA[:MIN:MAX]"; null when the text is none of these.
 */
export function parseLengthDistribution(text: string, which: "prompt" | "output"): LengthDistribution | null {
  const value = text.trim();
  if (value === "lmsys") return LMSYS_LIKE[which];
  const fixed = Number(value);
  if (/^\d+$/.test(value) && fixed >= 1 && fixed <= MAX_REQUEST_TOKENS)
    return { kind: "fixed", tokens: fixed };
  const match = /^lognormal:([\d.]+):([\d.]+)(?::(\d+):(\d+))?$/.exec(value);
  if (!match) return null;
  const median = Number(match[1]);
  const sigma = Number(match[2]);
  const min = match[3] === undefined ? 1 : Number(match[3]);
  const max = match[4] === undefined ? 1_000_000 : Number(match[4]);
  return median >= 1 && sigma >= 0 && min >= 1 && max >= min && max <= MAX_REQUEST_TOKENS
    ? { kind: "lognormal", median, sigma, min, max }
    : null;
}

function sampleLength(distribution: LengthDistribution, random: Mt19937): number {
  if (distribution.kind === "fixed") return distribution.tokens;
  const u = 1 - random.nextDouble();
  const v = random.nextDouble();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  const value = Math.round(distribution.median * Math.exp(distribution.sigma * normal));
  return Math.min(distribution.max, Math.max(distribution.min, value));
}

/** Requests with the given arrival times and sampled lengths (lengths drawn after arrivals, same generator). */
export function synthesizeRequests(
  arrivalSec: Float64Array,
  prompt: LengthDistribution,
  output: LengthDistribution,
  random: Mt19937,
): RequestSet {
  const count = arrivalSec.length;
  const promptTokens = new Int32Array(count);
  const outputTokens = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    promptTokens[i] = sampleLength(prompt, random);
    outputTokens[i] = sampleLength(output, random);
  }
  return { arrivalSec, promptTokens, outputTokens };
}
