/**
 * Input problems as data (Zod style): each names where it happened (file, field path), what is
 * wrong and what is allowed. Shells format them; the core never prints.
 */
export interface Issue {
  /** Machine-readable kind, e.g. "unknown-id", "invalid-value", "missing-field". */
  readonly code: string;
  /** Field path inside the input, e.g. ["parallel", "tp"] or ["num_attention_heads"]. */
  readonly path: readonly (string | number)[];
  /** Human sentence, without the file or path prefix. */
  readonly message: string;
  /** Source file or input name, when known. */
  readonly file?: string;
  /** 1-based line and column in the file, when known. */
  readonly line?: number;
  readonly column?: number;
  /** Allowed values or suggestions, when there is a short list. */
  readonly allowed?: readonly string[];
}

/** Thrown by the library's convenience functions when input is invalid; carries every issue found. */
export class InputError extends Error {
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "InputError";
    this.issues = issues;
  }
}

/** "file: a.b.c: message (allowed: x, y)". */
export function formatIssue(issue: Issue): string {
  const file =
    issue.file !== undefined && issue.line !== undefined
      ? `${issue.file}:${issue.line}:${issue.column ?? 1}`
      : issue.file;
  const where = [file, issue.path.length > 0 ? issue.path.join(".") : undefined]
    .filter((part) => part !== undefined && part !== "")
    .join(": ");
  const allowed = issue.allowed && issue.allowed.length > 0 ? ` (allowed: ${issue.allowed.join(", ")})` : "";
  return `${where ? `${where}: ` : ""}${issue.message}${allowed}`;
}
