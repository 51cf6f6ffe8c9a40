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
