import type { Issue } from "../core/issues.ts";
import { modelFromHfConfig } from "../core/model/from-hf-config.ts";
import type { ModelSpec } from "../core/model/types.ts";
import { parseText } from "./load.ts";

/**
 * A model from the text of a Hugging Face config.json (JSON or YAML), as the CLI reads a file and
 * the web app reads a pasted or dropped one. Issues carry `file`, line, column and field path.
 */
export function modelFromConfigText(
  text: string,
  file: string,
  id: string,
): { ok: true; model: ModelSpec } | { ok: false; issues: Issue[] } {
  const parsed = parseText(text, file);
  if (!parsed.ok) return parsed;
  const result = modelFromHfConfig(parsed.data, id);
  if (result.ok) return result;
  return {
    ok: false,
    issues: result.issues.map((issue): Issue => ({ ...issue, file, ...parsed.locate(issue.path) })),
  };
}
