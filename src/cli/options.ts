import { InvalidArgumentError } from "@commander-js/extra-typings";
import { DTYPES, type Dtype, isDtype } from "../core/dtype.ts";
import { type LengthDistribution, parseLengthDistribution } from "../core/sim/requests.ts";

/** Commander parser for integers >= min. */
export const intAtLeast =
  (min: number) =>
  (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || !/^[-+]?\d+(e\d+)?$/i.test(value.trim())) {
      throw new InvalidArgumentError(`must be an integer >= ${min}.`);
    }
    return parsed;
  };

/** Commander parser for finite numbers > 0 (or >= 0 when `allowZero`). */
export const positiveNumber =
  (allowZero = false) =>
  (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0 || (!allowZero && parsed === 0)) {
      throw new InvalidArgumentError(`must be a number ${allowZero ? ">= 0" : "> 0"}.`);
    }
    return parsed;
  };

/** Commander parser for a numeric format. */
export function dtype(value: string): Dtype {
  if (!isDtype(value)) throw new InvalidArgumentError(`allowed: ${DTYPES.join(", ")}.`);
  return value;
}

/** Collects repeated KEY=VALUE options into a record of numbers. */
export function keyValue(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const match = /^([A-Za-z]\w*)=(.+)$/.exec(value);
  const parsed = match ? Number(match[2]) : Number.NaN;
  if (!match || !Number.isFinite(parsed))
    throw new InvalidArgumentError("expected KEY=NUMBER, e.g. gemmComputeEfficiency=0.6.");
  return { ...previous, [match[1] as string]: parsed };
}

/** Output format chosen by --json / --csv (mutually exclusive). */
export type OutputFormat = "table" | "json" | "csv";
export function outputFormat(options: { json?: boolean; csv?: boolean }): OutputFormat {
  if (options.json && options.csv) throw new InvalidArgumentError("--json and --csv are mutually exclusive.");
  return options.json ? "json" : options.csv ? "csv" : "table";
}

/** Commander parser for a comma-separated list of integers >= min. */
export const intList =
  (min: number) =>
  (value: string): number[] => {
    const parts = value.split(",").map((part) => part.trim());
    if (parts.some((part) => !/^\d+$/.test(part) || Number(part) < min)) {
      throw new InvalidArgumentError(`expected comma-separated integers >= ${min}, e.g. 16,32,64.`);
    }
    return parts.map(Number);
  };

/** Commander parser for a comma-separated list of names. */
export function nameList(value: string): string[] {
  const names = value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if (names.length === 0) throw new InvalidArgumentError("expected at least one name.");
  return names;
}

/** Commander parser for a number in [0, 1]. */
export function fraction(value: string): number {
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
    throw new InvalidArgumentError("must be a number from 0 to 1.");
  }
  return parsed;
}

/** Commander parser for one of a fixed set of values. */
export const oneOf =
  <T extends string>(allowed: readonly T[]) =>
  (value: string): T => {
    if (!(allowed as readonly string[]).includes(value))
      throw new InvalidArgumentError(`allowed: ${allowed.join(", ")}.`);
    return value as T;
  };

/** Commander parser for a length distribution: "512" (fixed), "lmsys" or "lognormal:MEDIAN:SIGMA[:MIN:MAX]". */
export const lengthOption =
  (which: "prompt" | "output") =>
  (value: string): LengthDistribution => {
    const parsed = parseLengthDistribution(value, which);
    if (parsed) return parsed;
    throw new InvalidArgumentError(
      "expected a token count (e.g. 512), lmsys, or lognormal:MEDIAN:SIGMA[:MIN:MAX].",
    );
  };
