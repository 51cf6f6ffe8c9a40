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
  for (const [path] of files)
    if (existsSync(path) && statSync(path).isDirectory())
      throw new InputError([
        { code: "unwritable", path: [], file: path, message: "cannot write: this is a directory" },
      ]);
  const temporary = files.map(([path]) => `${path}.partial-${process.pid}`);
  let writing = 0;
  try {
    for (const [i, [, data]] of files.entries()) {
      writing = i;
      writeFileSync(temporary[i] as string, data);
    }
  } catch (error) {
    for (const path of temporary) rmSync(path, { force: true });
    // A directory that is missing or not writable is the user's path, not a crash.
    const code = (error as NodeJS.ErrnoException).code;
    const path = (files[writing] as readonly [string, unknown])[0];
    if (code === "ENOENT" || code === "ENOTDIR")
      throw new InputError([
        {
          code: "unwritable",
          path: [],
          file: path,
          message: `cannot write: the directory ${dirname(path)} does not exist`,
        },
      ]);
    if (code === "EACCES" || code === "EROFS" || code === "EISDIR")
      throw new InputError([
        { code: "unwritable", path: [], file: path, message: `cannot write here (${code})` },
      ]);
    throw error;
  }
  try {
    for (const [i, [path]] of files.entries()) renameSync(temporary[i] as string, path);
  } finally {
    for (const path of temporary) rmSync(path, { force: true });
  }
}
