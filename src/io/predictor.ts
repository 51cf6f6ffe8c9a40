import { createHash } from "node:crypto";
import { basename } from "node:path";
import { serialize } from "node:v8";
import { predictorFamiliesFromText } from "../config/predictor-text.ts";
import type { HardwareRegistry } from "../core/hardware/catalog.ts";
import { hardwareSpecOf } from "../core/hardware/resolve.ts";
import { InputError } from "../core/issues.ts";
import { buildFamilies } from "../core/predictor/calibrate.ts";
import type { KernelFamily } from "../core/predictor/family.ts";
import { familyHardwareLookup } from "../core/predictor/family-hardware.ts";
import { type FamilyMode, familyPredictor } from "../core/predictor/measured.ts";
import type { PortablePredictor } from "../core/predictor/portable.ts";
import { rooflinePredictor } from "../core/predictor/roofline.ts";
import type { Predictor } from "../core/predictor/types.ts";
import { readText, resolveFrom } from "./files.ts";
import { loadHardwareRegistry } from "./hardware.ts";
import { loadMeasurements } from "./measurements/load.ts";

export const PREDICTOR_FORMS = ["roofline", "calibrated:<predictor.json>", "table:<file>[,<file>...]"];

/** A catalog accelerator in engine units, or an error naming the unknown name. */
export function hardwareLookup(registry: HardwareRegistry) {
  return (name: string) => {
    const resolved = registry.resolve(name);
    if (!resolved.ok) throw new InputError(resolved.issues);
    return hardwareSpecOf(resolved.record);
  };
}

/** The measured kernel families a `--predictor` value names. */
export interface PredictorSource {
  /** For display, e.g. "calibrated:predictor.json". */
  readonly name: string;
  readonly mode: FamilyMode;
  readonly families: readonly KernelFamily[];
}

/**
 * The families of a "calibrated:<file>" (a file written by `llmsim calibrate`) or "table:<files>"
 * (measured kernel tables, interpolated) value; null for "roofline". Throws InputError otherwise.
 */
export async function loadPredictorSource(
  value: string,
  registry: HardwareRegistry,
  field = "--predictor",
): Promise<PredictorSource | null> {
  if (value === "roofline") return null;
  const colon = value.indexOf(":");
  const form = colon > 0 ? value.slice(0, colon) : value;
  const argument = colon > 0 ? value.slice(colon + 1) : "";
  if (form === "calibrated" && argument !== "") {
    const parsed = predictorFamiliesFromText(readText(argument, field), argument);
    if (!parsed.ok) throw new InputError(parsed.issues);
    return { name: `calibrated:${basename(argument)}`, mode: "calibrated", families: parsed.value };
  }
  if (form === "table" && argument !== "") {
    const files = argument.split(",").filter((f) => f !== "");
    const measurements = await loadMeasurements(files, registry, {}, "--predictor");
    return {
      name: `table:${files.map((f) => basename(f)).join(",")}`,
      mode: "table",
      families: buildFamilies(measurements, hardwareLookup(registry), "table"),
    };
  }
  throw new InputError([
    {
      code: "invalid-value",
      path: [field],
      message: `unknown predictor "${value}"`,
      allowed: PREDICTOR_FORMS,
    },
  ]);
}

/**
 * A `--predictor` value with its file paths resolved against `baseFile` (a scenario file's):
 * calibrated:<file> names one file, table:<files> a comma-separated list; anything else is
 * returned as given (loadPredictorSource names it).
 */
export function predictorWithPathsFrom(value: string, baseFile: string | undefined): string {
  const colon = value.indexOf(":");
  const form = value.slice(0, Math.max(colon, 0));
  const argument = value.slice(colon + 1);
  if (form === "calibrated" && argument !== "") return `calibrated:${resolveFrom(baseFile, argument)}`;
  if (form === "table" && argument !== "")
    return `table:${argument
      .split(",")
      .map((f) => (f === "" ? f : resolveFrom(baseFile, f)))
      .join(",")}`;
  return value;
}

/**
 * A predictor source as plain data for worker threads, with the accelerator whose families serve
 * each accelerator it will be asked about (familyHardwareLookup), and a digest of exactly that data
 * (sha256 prefix): the same families give the same digest whatever the file is called or how it is
 * formatted, and different ones (another fit, or a table built against other peak figures) a
 * different one.
 */
export function portablePredictor(
  source: PredictorSource,
  registry: HardwareRegistry,
  hardwareNames: readonly string[],
): PortablePredictor & { readonly digest: string } {
  const lookup = familyHardwareLookup(registry, source.families);
  const familyHardware = Object.fromEntries(hardwareNames.map((name) => [name, lookup(name)]));
  const digest = createHash("sha256")
    .update(serialize({ mode: source.mode, families: source.families, familyHardware }))
    .digest("hex")
    .slice(0, 16);
  return { name: source.name, mode: source.mode, families: source.families, familyHardware, digest };
}

/**
 * The predictor a `--predictor` value names: "roofline" (the given analytic one), "calibrated:<file>"
 * or "table:<files>" (see loadPredictorSource). Ops with no data fall back to `roofline`.
 */
export async function loadPredictor(
  value: string,
  roofline: Predictor,
  registry: HardwareRegistry,
): Promise<Predictor> {
  const source = await loadPredictorSource(value, registry);
  if (!source) return roofline;
  return familyPredictor(
    source.name,
    source.mode,
    source.families,
    roofline,
    familyHardwareLookup(registry, source.families),
  );
}

/**
 * The predictor of a seed-scenario command's --predictor flag (undefined: the engine's roofline).
 * A scenario's hardware name that is a catalog name or alias ("A100-80GB") finds the catalog
 * accelerator's measured families; `hardwareFiles` (the command's --hardware-file) add accelerators
 * that measurement files may name.
 */
export async function scenarioPredictor(
  value: string | undefined,
  hardwareFiles: readonly string[] = [],
): Promise<Predictor | undefined> {
  if (value === undefined) return undefined;
  return loadPredictor(value, rooflinePredictor(), loadHardwareRegistry(hardwareFiles));
}
