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
  // The file is JSON of many megabytes: JSON.parse reads it in a fraction of the time the
  // position-keeping YAML parser takes (13 s for 12 MB). Only a file that fails is read again by
  // loadWithSchema, for the line and column of its problems.
  const fast = parsedJson(text);
  if (fast !== undefined) {
    const checked = predictorFileSchema.safeParse(fast);
    if (checked.success) return { ok: true, value: familiesOfDocument(checked.data) };
  }
  const parsed = loadWithSchema(text, file, predictorFileSchema);
  return parsed.ok ? { ok: true, value: familiesOfDocument(parsed.value) } : parsed;
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
