import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { InvalidArgumentError } from "@commander-js/extra-typings";
import {
  dtypeValue,
  FlagValueError,
  fractionValue,
  intAtLeastValue,
  intListValue,
  lengthValue,
  nameListValue,
  oneOfValue,
  positiveNumberValue,
  weightBlockSizeValue,
} from "../config/flag-values.ts";
import type { Dtype, WeightBlockSize } from "../core/dtype.ts";
import type { LengthDistribution } from "../core/sim/requests.ts";

/** A flag parser from src/config/flag-values.ts, its FlagValueError as commander's argument error. */
export function commander<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof FlagValueError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

/** Commander parser for integers >= min. */
export const intAtLeast =
  (min: number, max?: number) =>
  (value: string): number =>
    commander(() => intAtLeastValue(value, min, max));

/** Worker threads a command may start: far more than any machine's cores is a mistake. */
export const MAX_THREADS = 1024;

/** Commander parser for finite numbers > 0 (or >= 0 when `allowZero`). */
export const positiveNumber =
  (allowZero = false) =>
  (value: string): number =>
    commander(() => positiveNumberValue(value, allowZero));

/** Commander parser for a numeric format. */
export function dtype(value: string): Dtype {
  return commander(() => dtypeValue(value));
}

/** Commander parser for a weight-scale block ("128x128") or "none". */
export function weightBlockSize(value: string): WeightBlockSize | "none" {
  return commander(() => weightBlockSizeValue(value));
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
  (value: string): number[] =>
    commander(() => intListValue(value, min));

/** Commander parser for a comma-separated list of names. */
export function nameList(value: string): string[] {
  return commander(() => nameListValue(value));
}

/** Commander parser for a number in [0, 1]. */
export function fraction(value: string): number {
  return commander(() => fractionValue(value));
}

/** Commander parser for one of a fixed set of values. */
export const oneOf =
  <T extends string>(allowed: readonly T[]) =>
  (value: string): T =>
    commander(() => oneOfValue(value, allowed));

/** Commander parser for a length distribution: "512" (fixed), "lmsys" or "lognormal:MEDIAN:SIGMA[:MIN:MAX]". */
export const lengthOption =
  (which: "prompt" | "output") =>
  (value: string): LengthDistribution =>
    commander(() => lengthValue(value, which));

/**
 * Commander parser for an output file: a name ending in one of `extensions`, not an existing
 * directory, in a directory that exists. Checked when the flags are read, so a run never computes
 * for minutes and then fails to write.
 */
export const outputFile =
  (...extensions: readonly string[]) =>
  (value: string): string => {
    const name = outputFileName(...extensions)(value);
    const directory = dirname(name);
    if (!existsSync(directory) || !statSync(directory).isDirectory())
      throw new InvalidArgumentError(`the directory ${directory} does not exist.`);
    return name;
  };

/**
 * The name checks of `outputFile` alone (extension, not an existing directory), for a path whose
 * directory the command may replace (`plan --rows` with `--shard` writes into `--out`).
 */
export const outputFileName =
  (...extensions: readonly string[]) =>
  (value: string): string => {
    const lower = value.toLowerCase();
    if (!extensions.some((extension) => lower.endsWith(extension)))
      throw new InvalidArgumentError(`must end in ${extensions.join(" or ")}.`);
    if (existsSync(value) && statSync(value).isDirectory())
      throw new InvalidArgumentError(`${value} is a directory; give a file name.`);
    return value;
  };

export const chartFile = outputFile(".svg", ".png");
