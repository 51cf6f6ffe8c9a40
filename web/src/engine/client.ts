import type { State, View } from "../state.ts";
import type { EngineRequest, EngineResponse } from "./protocol.ts";

/**
 * The page's handle on the engine worker. Each view asks for its latest state; answers to requests
 * that a newer one superseded are dropped, so typing never shows stale numbers.
 */
export class EngineClient {
  private readonly worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  private nextId = 1;
  private readonly latest = new Map<View | "catalog", number>();
  private readonly pending = new Map<
    number,
    { view: View | "catalog"; resolve: (r: EngineResponse | null) => void }
  >();

  constructor() {
    this.worker.onmessage = (event: MessageEvent<EngineResponse>) => {
      const entry = this.pending.get(event.data.id);
      if (!entry) return;
      this.pending.delete(event.data.id);
      entry.resolve(this.latest.get(entry.view) === event.data.id ? event.data : null);
    };
  }

  /** The view computed for `state`, or null when a newer request for the same view replaced it. */
  compute(view: View | "catalog", state: State): Promise<EngineResponse | null> {
    const id = this.nextId++;
    this.latest.set(view, id);
    const request: EngineRequest = { id, view, state };
    return new Promise((resolve) => {
      this.pending.set(id, { view, resolve });
      this.worker.postMessage(request);
    });
  }
}
