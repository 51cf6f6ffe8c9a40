import { InputError, type Issue } from "../../src/core/issues.ts";

/** The issues of the InputError `run` throws; fails when it throws nothing or something else. */
export function issuesOf(run: () => unknown): readonly Issue[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.issues;
    throw error;
  }
  throw new Error("expected an InputError");
}

/** The issues of the InputError `run`'s promise rejects with; fails when it resolves or rejects otherwise. */
export async function issuesOfAsync(run: () => Promise<unknown>): Promise<readonly Issue[]> {
  try {
    await run();
  } catch (error) {
    if (error instanceof InputError) return error.issues;
    throw error;
  }
  throw new Error("expected an InputError");
}
