import type { Issue } from "../../../src/core/issues.ts";
import type { State, View } from "../state.ts";

/** A table as the CLI's --csv writes it: a header and rows of cells. */
export interface Table {
  readonly head: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

/** Main thread -> worker: compute one view of a scenario. */
export interface EngineRequest {
  readonly id: number;
  readonly view: View | "catalog";
  readonly state: State;
}

/** Worker -> main thread: the view's data, or the input issues (the CLI's field errors). */
export type EngineResponse =
  | { readonly id: number; readonly ok: true; readonly computeMs: number; readonly data: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly computeMs: number;
      readonly issues: readonly Issue[];
    };
