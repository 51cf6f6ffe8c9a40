import { DTYPES, type Dtype, isDtype, type WeightBlockSize } from "../core/dtype.ts";
import { type LengthDistribution, parseLengthDistribution } from "../core/sim/requests.ts";

/**
 * How the CLI reads a flag's text, as plain functions: commander wraps them (src/cli/options.ts)
 * and the web explorer calls them on its form fields, so both accept and reject the same values
 * with the same words. Each throws FlagValueError with the sentence to show.
 */
export class FlagValueError extends Error {
  override readonly name = "FlagValueError";
}

const fail = (message: string): never => {
  throw new FlagValueError(message);
};

/** An integer >= min ("64", "1e3"; not "64.0", "0x40" or " "). */
export function intAtLeastValue(value: string, min: number, max?: number): number {
  const parsed = Number(value);
  const inRange = parsed >= min && (max === undefined || parsed <= max);
  if (!Number.isInteger(parsed) || !inRange || !/^[-+]?\d+(e\d+)?$/i.test(value.trim()))
    fail(
      max === undefined
        ? `must be an integer >= ${min}.`
        : `must be an integer from ${min} to ${max.toLocaleString("en-US")}.`,
    );
  return parsed;
}

/** A finite number > 0 (or >= 0 when `allowZero`). */
export function positiveNumberValue(value: string, allowZero = false): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0 || (!allowZero && parsed === 0))
    fail(`must be a number ${allowZero ? ">= 0" : "> 0"}.`);
  return parsed;
}

/** A number in [0, 1]. */
export function fractionValue(value: string): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0 || parsed > 1)
    fail("must be a number from 0 to 1.");
  return parsed;
}

export function dtypeValue(value: string): Dtype {
  if (!isDtype(value)) fail(`allowed: ${DTYPES.join(", ")}.`);
  return value as Dtype;
}

/**
 * A weight-scale block, "ROWSxCOLUMNS" (e.g. "128x128"), or "none" (per-tensor scales), kept as
 * "none": commander turns a parser's null into an empty string.
 */
export function weightBlockSizeValue(value: string): WeightBlockSize | "none" {
  const text = value.trim();
  if (text === "none") return "none";
  const match = /^(\d+)x(\d+)$/.exec(text);
  const rows = Number(match?.[1]);
  const columns = Number(match?.[2]);
  if (!match || rows < 1 || columns < 1) fail("expected ROWSxCOLUMNS, e.g. 128x128, or none.");
  return [rows, columns];
}

/** Comma-separated integers >= min. */
export function intListValue(value: string, min: number): number[] {
  const parts = value.split(",").map((part) => part.trim());
  if (parts.some((part) => !/^\d+$/.test(part) || Number(part) < min))
    fail(`expected comma-separated integers >= ${min}, e.g. 16,32,64.`);
  return parts.map(Number);
}

/** Comma-separated names, at least one. */
export function nameListValue(value: string): string[] {
  const names = value.split(",").map((part) => part.trim());
  if (names.some((part) => part === ""))
    fail(`expected comma-separated names, got an empty one in "${value}".`);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) fail(`"${repeated}" is given twice.`);
  return names;
}

export function oneOfValue<T extends string>(value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) fail(`allowed: ${allowed.join(", ")}.`);
  return value as T;
}

/** A length distribution: "512" (fixed), "lmsys" or "lognormal:MEDIAN:SIGMA[:MIN:MAX]". */
export function lengthValue(value: string, which: "prompt" | "output"): LengthDistribution {
  const parsed = parseLengthDistribution(value, which);
  if (!parsed)
    fail(
      "expected a token count from 1 to 100,000,000 (e.g. 512), lmsys, or lognormal:MEDIAN:SIGMA[:MIN:MAX] with MAX at most 100,000,000.",
    );
  return parsed as LengthDistribution;
}

/** A GPU budget: a total ("64") or the most of each hardware ("H800=32,H20=64"). */
export function gpuBudgetValue(value: string): number | Record<string, number> {
  if (/^\s*\d+\s*$/.test(value)) {
    const total = Number(value);
    if (total < 1) fail("the GPU budget must be at least 1 GPU.");
    return total;
  }
  const budget: Record<string, number> = {};
  for (const part of value.split(",")) {
    const match = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(part);
    if (!match || Number(match[2]) < 1)
      fail("expected a GPU count >= 1 (e.g. 64) or NAME=COUNT pairs (e.g. H800=32,H20=64).");
    budget[(match as RegExpExecArray)[1] as string] = Number((match as RegExpExecArray)[2]);
  }
  return budget;
}
