/**
 * A deep copy of an op (or any tree of plain objects and arrays) made by spreading, outside the op
 * builders' object literals. For ops kept alive in bulk, such as the rows of a measurement table:
 * V8 decides per allocation site whether the objects it makes go straight to the old generation
 * ("pretenuring"), and once 100,000 table ops built by `gemm()` stayed alive, every op the engine
 * built there afterwards was allocated in the old generation too, which made a DeepSeek-V3 decode
 * step 2-3x slower for the rest of the process (bench/predictor.bench.mjs). Copies made here leave
 * the builders' sites with short-lived objects only. Spreading keeps each object's hidden class, so
 * code reading copies and originals stays monomorphic.
 */
export function detachedCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(detachedCopy) as T;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key in copy) {
    const field = copy[key];
    if (typeof field === "object" && field !== null) copy[key] = detachedCopy(field);
  }
  return copy as T;
}
