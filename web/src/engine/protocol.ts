import type { Issue } from "../../../src/core/issues.ts";
import type { State, View } from "../state.ts";

/** A table as the CLI's --csv writes it: a header and rows of cells. */
export interface Table {
  readonly head: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

/** What the worker computes: a view, the form's catalog, or loading a predictor file. */
export type Target = View | "catalog" | "predictor";

/**
 * Main thread -> worker: compute one view of a scenario, or ("predictor") keep the predictor file
 * `predictorText` under the name `state.predictor` for the views that name it.
 */
export interface EngineRequest {
  readonly id: number;
  readonly view: Target;
  readonly state: State;
  readonly predictorText?: string;
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
