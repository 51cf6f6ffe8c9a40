import { BUILTIN_HF_CONFIGS } from "../../data/models/index.ts";
import type { Issue } from "../issues.ts";
import { ownEntry } from "../text/own-entry.ts";
import { closestNames } from "../text/suggest.ts";
import { type ImportResult, modelFromHfConfig } from "./from-hf-config.ts";

/** Hugging Face ids of the built-in models, sorted. */
export function builtinModelIds(): string[] {
  return Object.keys(BUILTIN_HF_CONFIGS).sort((a, b) => a.localeCompare(b));
}

/** The verbatim config.json of a built-in model, or undefined. Matching ignores case. */
export function builtinHfConfig(id: string): { id: string; config: unknown } | undefined {
  const exact = ownEntry(BUILTIN_HF_CONFIGS, id);
  if (exact !== undefined) return { id, config: exact };
  const lower = id.toLowerCase();
  const found = Object.keys(BUILTIN_HF_CONFIGS).find(
    (key) => key.toLowerCase() === lower || key.split("/")[1]?.toLowerCase() === lower,
  );
  return found === undefined ? undefined : { id: found, config: BUILTIN_HF_CONFIGS[found] };
}

/**
 * A built-in model by Hugging Face id (or its bare name, any case).
 *
 * @example
 * const result = builtinModel("deepseek-ai/DeepSeek-V3");
 */
export function builtinModel(id: string): ImportResult {
  const entry = builtinHfConfig(id);
  if (entry === undefined) {
    const issue: Issue = {
      code: "unknown-id",
      path: ["model"],
      message: `unknown model "${id}"; pass a Hugging Face id from \`llmsim models\` or a path to a config.json`,
      allowed: closestNames(id, builtinModelIds()),
    };
    return { ok: false, issues: [issue] };
  }
  return modelFromHfConfig(entry.config, entry.id);
}
