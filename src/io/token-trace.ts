import { InputError } from "../core/issues.ts";
import { parseTokenTrace, type TraceEntry } from "../core/sim/dejavu/trace-input.ts";
import { parseJsonText, readText } from "./files.ts";

/** Reads a DéjàVu trace file (JSON list of [prompt_size, num_generated_tokens]); errors name the file and entry. */
export function readTokenTrace(path: string, field = "--trace_file"): TraceEntry[] {
  const data = parseJsonText(readText(path, field), path);
  const parsed = parseTokenTrace(data);
  if (!parsed.ok) throw new InputError(parsed.issues.map((issue) => ({ ...issue, file: path })));
  return parsed.entries;
}
