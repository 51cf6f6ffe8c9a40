import { computeView, loadPredictor } from "./compute.ts";
import type { EngineRequest, EngineResponse } from "./protocol.ts";

/** The worker's global scope (typed by hand: the DOM and WebWorker libs clash in one program). */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<EngineRequest>) => void) | null;
  postMessage(message: EngineResponse): void;
};

scope.onmessage = (event) => {
  const { id, view, state, predictorText } = event.data;
  const start = performance.now();
  let response: EngineResponse;
  try {
    const outcome =
      view === "predictor" ? loadPredictor(state.predictor, predictorText ?? "") : computeView(view, state);
    const computeMs = performance.now() - start;
    response = outcome.ok
      ? { id, ok: true, computeMs, data: outcome.data }
      : { id, ok: false, computeMs, issues: outcome.issues };
  } catch (error) {
    // A bug, not bad input: say so in the page rather than failing silently.
    response = {
      id,
      ok: false,
      computeMs: performance.now() - start,
      issues: [{ code: "internal-error", path: [], message: `internal error: ${(error as Error).message}` }],
    };
  }
  try {
    scope.postMessage(response);
  } catch (error) {
    scope.postMessage({
      id,
      ok: false,
      computeMs: response.computeMs,
      issues: [{ code: "internal-error", path: [], message: `internal error: ${(error as Error).message}` }],
    });
  }
};
