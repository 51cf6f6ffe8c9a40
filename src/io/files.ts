import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { InputError } from "../core/issues.ts";

/** Reads a UTF-8 file or throws InputError naming it. */
export function readText(path: string, field: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? "file not found"
        : String((error as Error).message);
    throw new InputError([
      { code: "file-not-readable", path: [field], message: `${reason}: ${path}`, file: path },
    ]);
  }
}

/** JSON text parsed, or InputError naming the file: "not valid JSON: ...". */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError([
      { code: "invalid-json", path: [], file, message: `not valid JSON: ${(error as Error).message}` },
    ]);
  }
}

/** A path relative to the directory of `baseFile` (or the working directory). */
export function resolveFrom(baseFile: string | undefined, path: string): string {
  if (isAbsolute(path) || baseFile === undefined) return resolve(path);
  return resolve(dirname(baseFile), path);
}

/** Whether `value` names a local config file or a model directory holding config.json. */
export function localConfigPath(value: string, baseFile?: string): string | undefined {
  const path = resolveFrom(baseFile, value);
  if (!existsSync(path)) return undefined;
  if (statSync(path).isDirectory()) {
    const inner = join(path, "config.json");
    return existsSync(inner) ? inner : undefined;
  }
  return path;
}

/**
 * Writes several files so that either all appear or none: each goes to a temporary name first and
 * is renamed only once every one has been written.
 */
export function writeFilesAtomically(
  files: readonly (readonly [path: string, data: string | Uint8Array])[],
): void {
  const temporary = files.map(([path]) => `${path}.partial-${process.pid}`);
  try {
    for (const [i, [, data]] of files.entries()) writeFileSync(temporary[i] as string, data);
  } catch (error) {
    for (const path of temporary) rmSync(path, { force: true });
    throw error;
  }
  for (const [i, [path]] of files.entries()) renameSync(temporary[i] as string, path);
}
