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

/** Throws InputError when `path` is an existing directory: an output file needs a file name. */
export function refuseDirectory(path: string): void {
  if (existsSync(path) && statSync(path).isDirectory())
    throw new InputError([
      { code: "unwritable", path: [], file: path, message: "cannot write: this is a directory" },
    ]);
}

/**
 * The InputError for a failed write of `path` when the cause is the user's path (a missing or
 * unwritable directory), else the error itself to rethrow.
 */
export function writeFailure(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR")
    return new InputError([
      {
        code: "unwritable",
        path: [],
        file: path,
        message: `cannot write: the directory ${dirname(path)} does not exist`,
      },
    ]);
  if (code === "EACCES" || code === "EROFS" || code === "EISDIR")
    return new InputError([
      { code: "unwritable", path: [], file: path, message: `cannot write here (${code})` },
    ]);
  return error;
}

/**
 * Writes several files so that either all appear or none: each goes to a temporary name first and
 * is renamed only once every one has been written.
 */
export function writeFilesAtomically(
  files: readonly (readonly [path: string, data: string | Uint8Array])[],
): void {
  for (const [path] of files) refuseDirectory(path);
  const temporary = files.map(([path]) => `${path}.partial-${process.pid}`);
  let writing = 0;
  try {
    for (const [i, [, data]] of files.entries()) {
      writing = i;
      writeFileSync(temporary[i] as string, data);
    }
  } catch (error) {
    for (const path of temporary) rmSync(path, { force: true });
    throw writeFailure((files[writing] as readonly [string, unknown])[0], error);
  }
  try {
    for (const [i, [path]] of files.entries()) renameSync(temporary[i] as string, path);
  } finally {
    for (const path of temporary) rmSync(path, { force: true });
  }
}
