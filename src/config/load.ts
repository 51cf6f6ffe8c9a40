import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import type { Issue } from "../core/issues.ts";

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

interface Located {
  readonly line?: number;
  readonly column?: number;
}

/** Parses YAML or JSON text, keeping a way to map a field path back to a line and column. */
export function parseText(
  text: string,
  file: string,
):
  | { ok: true; data: unknown; locate: (path: readonly PropertyKey[]) => Located }
  | { ok: false; issues: Issue[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      issues: document.errors.map((error) => {
        const position = error.linePos?.[0];
        return {
          code: "syntax-error",
          path: [],
          message: (error.message.split("\n")[0] ?? "syntax error").replace(
            / at line \d+, column \d+:?$/,
            "",
          ),
          file,
          ...(position ? { line: position.line, column: position.col } : {}),
        };
      }),
    };
  }
  const locate = (path: readonly PropertyKey[]): Located => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = document.getIn(path.slice(0, depth) as unknown[], true) as
        | { range?: [number, number, number] }
        | undefined;
      if (node?.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        return { line, column: col };
      }
    }
    return {};
  };
  try {
    return { ok: true, data: document.toJS({ maxAliasCount: 100 }), locate };
  } catch (error) {
    // toJS rejects unresolved aliases and alias bombs that the parser itself accepts.
    return {
      ok: false,
      issues: [{ code: "syntax-error", path: [], message: (error as Error).message, file }],
    };
  }
}

/** Parses and validates a YAML/JSON file with a Zod schema; issues carry file:line:col and the field path. */
export function loadWithSchema<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
): Parsed<z.output<S>> {
  const parsed = parseText(text, file);
  if (!parsed.ok) return parsed;
  const result = schema.safeParse(parsed.data);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => {
      const path = issue.path.map((key) => (typeof key === "symbol" ? String(key) : key));
      const at =
        issue.code === "unrecognized_keys" && issue.keys[0] !== undefined
          ? [...issue.path, issue.keys[0]]
          : issue.path;
      const allowed = issue.code === "unrecognized_keys" ? objectKeysAt(schema, issue.path) : undefined;
      return {
        code: issue.code,
        path,
        message: describeZodIssue(issue),
        file,
        ...parsed.locate(at),
        ...(allowed ? { allowed } : {}),
      };
    }),
  };
}

/** The field names of the object schema at `path` inside `schema`, for naming what is allowed. */
export function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let node: z.ZodType | undefined = schema;
  for (let i = 0; node !== undefined; ) {
    if (node instanceof z.ZodOptional || node instanceof z.ZodNullable || node instanceof z.ZodDefault)
      node = node.unwrap() as z.ZodType;
    else if (node instanceof z.ZodPipe) node = node.in as z.ZodType;
    else if (i === path.length) return node instanceof z.ZodObject ? Object.keys(node.shape) : undefined;
    else if (node instanceof z.ZodObject) node = node.shape[String(path[i++])] as z.ZodType | undefined;
    else if (node instanceof z.ZodArray) {
      node = node.element as z.ZodType;
      i++;
    } else return undefined;
  }
  return undefined;
}

function describeZodIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value" && "values" in issue) {
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  if (issue.code === "unrecognized_keys")
    return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return issue.message;
}

/**
 * Issues of a scenario merged from a file and flags, checked by its schema: no line numbers (a value
 * may come from a flag), the file named when there is one, a missing required field said as such
 * (a field is missing when `input`, the merged scenario, has no value at its path).
 */
export function mergedScenarioIssues(
  error: z.ZodError,
  file: string | undefined,
  input: unknown,
  schema?: z.ZodType,
): Issue[] {
  const valueAt = (path: readonly PropertyKey[]) =>
    path.reduce<unknown>(
      (value, key) =>
        value !== null && typeof value === "object"
          ? (value as Record<PropertyKey, unknown>)[key]
          : undefined,
      input,
    );
  return error.issues.map((issue) => {
    const allowed =
      issue.code === "unrecognized_keys" && schema ? objectKeysAt(schema, issue.path) : undefined;
    return {
      code: issue.code,
      path: issue.path.map(String),
      message:
        issue.code === "invalid_value" && "values" in issue
          ? `must be one of ${issue.values.join(", ")}`
          : issue.code === "invalid_type" && valueAt(issue.path) === undefined
            ? "is required (a flag or a scenario field)"
            : issue.code === "unrecognized_keys"
              ? describeZodIssue(issue)
              : issue.message,
      ...(file ? { file } : {}),
      ...(allowed ? { allowed } : {}),
    };
  });
}
