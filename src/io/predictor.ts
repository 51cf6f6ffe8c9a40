import { basename } from "node:path";
import { loadWithSchema } from "../config/load.ts";
import { predictorFileSchema } from "../config/schema/predictor.ts";
import type { HardwareRegistry } from "../core/hardware/catalog.ts";
import { hardwareSpecOf } from "../core/hardware/resolve.ts";
import { InputError } from "../core/issues.ts";
import { buildFamilies } from "../core/predictor/calibrate.ts";
import { familyPredictor } from "../core/predictor/measured.ts";
import { familiesOfDocument } from "../core/predictor/predictor-file.ts";
import { rooflinePredictor } from "../core/predictor/roofline.ts";
import type { Predictor } from "../core/predictor/types.ts";
import { readText } from "./files.ts";
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

/**
 * The predictor a `--predictor` value names: "roofline" (the given analytic one), "calibrated:<file>"
 * (a file written by `llmsim calibrate`), or "table:<files>" (measured kernel tables interpolated).
 * Ops with no data fall back to `roofline`.
 */
export async function loadPredictor(
  value: string,
  roofline: Predictor,
  registry: HardwareRegistry,
): Promise<Predictor> {
  if (value === "roofline") return roofline;
  const canonical = (name: string) => registry.get(name)?.name ?? name;
  const colon = value.indexOf(":");
  const form = colon > 0 ? value.slice(0, colon) : value;
  const argument = colon > 0 ? value.slice(colon + 1) : "";
  if (form === "calibrated" && argument !== "") {
    const parsed = loadWithSchema(readText(argument, "--predictor"), argument, predictorFileSchema);
    if (!parsed.ok) throw new InputError(parsed.issues);
    return familyPredictor(
      `calibrated:${basename(argument)}`,
      "calibrated",
      familiesOfDocument(parsed.value),
      roofline,
      canonical,
    );
  }
  if (form === "table" && argument !== "") {
    const files = argument.split(",").filter((f) => f !== "");
    const measurements = await loadMeasurements(files, registry);
    const families = buildFamilies(measurements, hardwareLookup(registry), "table");
    return familyPredictor(
      `table:${files.map((f) => basename(f)).join(",")}`,
      "table",
      families,
      roofline,
      canonical,
    );
  }
  throw new InputError([
    {
      code: "invalid-value",
      path: ["--predictor"],
      message: `unknown predictor "${value}"`,
      allowed: PREDICTOR_FORMS,
    },
  ]);
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
