import { modelFromConfigText } from "../config/model-text.ts";
import { InputError } from "../core/issues.ts";
import { builtinModel } from "../core/model/catalog.ts";
import type { ModelSpec } from "../core/model/types.ts";
import { localConfigPath, readText } from "./files.ts";

/**
 * A model from a built-in Hugging Face id or a local config.json (or a directory holding one).
 * Throws InputError with file, line and field on a bad file, or the closest ids for an unknown one.
 */
export function loadModel(idOrPath: string, baseFile?: string): ModelSpec {
  const path = localConfigPath(idOrPath, baseFile);
  if (path === undefined) {
    if (/[\\/]/.test(idOrPath) && /\.(json|ya?ml)$/i.test(idOrPath)) {
      throw new InputError([
        {
          code: "file-not-readable",
          path: ["model"],
          message: `file not found: ${idOrPath}`,
          file: idOrPath,
        },
      ]);
    }
    const result = builtinModel(idOrPath);
    if (!result.ok) throw new InputError(result.issues);
    return result.model;
  }
  const result = modelFromConfigText(readText(path, "model"), path, idOrPath);
  if (!result.ok) throw new InputError(result.issues);
  return result.model;
}
