import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { formatIssue, type Issue } from "../../../src/core/issues.ts";
import { DEFAULTS, type Field, type View } from "../state.ts";

/** Issue paths that name a flag or engine field rather than the form's field, per view. */
const ALIASES: Partial<Record<View, Record<string, Field>>> = {
  prefill: { tp: "prefillTp", dp: "prefillDp" },
  decode: { tp: "tps", ep: "eps" },
  sweep: { tp: "tps", ep: "eps" },
  serve: { model: "serveModel", hardware: "serveHardware", tp: "serveTp", dp: "serveDp", ep: "serveEp" },
  plan: { model: "planModel", hardware: "planHardware", gpus: "planGpus", rate: "planRate" },
};

const camel = (key: string) => key.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The form field an issue is about: the pasted files' text areas, else its path's first key. */
export function fieldOfIssue(issue: Issue, view: View): Field | null {
  if (issue.file?.endsWith("config.json")) return "modelText";
  if (issue.file?.endsWith("hardware.json")) return "hardwareText";
  const head = issue.path[0];
  if (typeof head !== "string") return null;
  const key = camel(head);
  const alias = ALIASES[view]?.[key];
  if (alias) return alias;
  return Object.hasOwn(DEFAULTS, key) ? (key as Field) : null;
}

/** Messages per form field, so each input can show its own problem next to it. */
export function issuesByField(issues: readonly Issue[], view: View): Map<Field, string[]> {
  const byField = new Map<Field, string[]>();
  for (const issue of issues) {
    const field = fieldOfIssue(issue, view);
    if (field) byField.set(field, [...(byField.get(field) ?? []), formatIssue(issue)]);
  }
  return byField;
}

export const FieldIssues = createContext<Map<Field, string[]>>(new Map());

/** The messages for one field, and the attributes that mark its input invalid. */
export function useFieldIssues(field: Field): { messages: string[]; invalid: Record<string, string> } {
  const messages = useContext(FieldIssues).get(field) ?? [];
  return {
    messages,
    invalid: messages.length > 0 ? { "aria-invalid": "true", "aria-describedby": `issue-${field}` } : {},
  };
}
