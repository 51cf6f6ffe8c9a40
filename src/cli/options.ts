import { InvalidArgumentError } from "@commander-js/extra-typings";
import { DTYPES, type Dtype, isDtype } from "../core/dtype.ts";

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
