import type { State } from "../state.ts";
import type { EngineRequest, EngineResponse, Target } from "./protocol.ts";

/**
 * The page's handle on the engine worker. One request runs at a time; while it runs, a newer
 * request for the same view replaces the queued one (its promise resolves to null), so fast typing
 * never builds a backlog and never shows stale numbers.
 */
export class EngineClient {
  private readonly worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  private nextId = 1;
  private inFlight: number | null = null;
  private readonly latest = new Map<Target, number>();
  private readonly queued = new Map<Target, EngineRequest>();
  private readonly pending = new Map<number, { view: Target; resolve: (r: EngineResponse | null) => void }>();

  constructor() {
    this.worker.onmessage = (event: MessageEvent<EngineResponse>) => {
      this.inFlight = null;
      const entry = this.pending.get(event.data.id);
      if (entry) {
        this.pending.delete(event.data.id);
        entry.resolve(this.latest.get(entry.view) === event.data.id ? event.data : null);
      }
      this.pump();
    };
    // A worker that fails to load or to send a result must not leave the page "computing…".
    const fail = (message: string) => {
      const id = this.inFlight;
      this.inFlight = null;
      const entry = id === null ? undefined : this.pending.get(id);
      if (id !== null && entry) {
        this.pending.delete(id);
        entry.resolve({
          id,
          ok: false,
          computeMs: 0,
          issues: [{ code: "internal-error", path: [], message }],
        });
      }
      this.pump();
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      fail(`the engine worker failed: ${event.message || "it could not load"}`);
    };
    this.worker.onmessageerror = () => fail("the engine worker's answer could not be read");
  }

  /**
   * The view computed for `state`, or null when a newer request for the same view replaced it.
   * Target "predictor" loads `predictorText` as the predictor `state.predictor` names.
   */
  compute(view: Target, state: State, predictorText?: string): Promise<EngineResponse | null> {
    const id = this.nextId++;
    this.latest.set(view, id);
    return new Promise((resolve) => {
      const replaced = this.queued.get(view);
      if (replaced) {
        this.pending.get(replaced.id)?.resolve(null);
        this.pending.delete(replaced.id);
      }
      this.pending.set(id, { view, resolve });
      this.queued.set(view, { id, view, state, ...(predictorText !== undefined ? { predictorText } : {}) });
      this.pump();
    });
  }

  private pump(): void {
    if (this.inFlight !== null) return;
    const next = this.queued.values().next();
    if (next.done) return;
    this.queued.delete(next.value.view);
    this.inFlight = next.value.id;
    this.worker.postMessage(next.value);
  }
}
