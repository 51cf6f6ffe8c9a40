import type { KernelFamily } from "../core/predictor/family.ts";
import { familiesOfDocument } from "../core/predictor/predictor-file.ts";
import { loadWithSchema, type Parsed } from "./load.ts";
import { predictorFileSchema } from "./schema/predictor.ts";

/**
 * The kernel families of a predictor file's text (what `llmsim calibrate --out` writes), checked
 * against its schema; issues name `file` with line and column. Read the same way by the CLI's
 * `--predictor calibrated:<file>` and the web explorer's file input.
 */
export function predictorFamiliesFromText(text: string, file: string): Parsed<KernelFamily[]> {
  const parsed = loadWithSchema(text, file, predictorFileSchema);
  return parsed.ok ? { ok: true, value: familiesOfDocument(parsed.value) } : parsed;
}
