import type { ServeResult } from "../sim/serve/types.ts";

export interface RequestSpan {
  readonly request: number;
  readonly phase: "queued" | "prefill" | "decode";
  readonly startMs: number;
  readonly endMs: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
}

/**
 * The first `maxRequests` requests of a serving run as spans: queued (arrival to first scheduled),
 * prefill (to the first token, including any KV hand-off) and decode (to completion), in ms.
 */
export function requestSpans(result: ServeResult, maxRequests = 300): RequestSpan[] {
  const n = Math.min(maxRequests, result.arrivalSec.length);
  const spans: RequestSpan[] = [];
  for (let r = 0; r < n; r++) {
    const arrival = (result.arrivalSec[r] as number) * 1000;
    const scheduled = (result.firstScheduledSec[r] as number) * 1000;
    const first = (result.firstTokenSec[r] as number) * 1000;
    const done = (result.completionSec[r] as number) * 1000;
    const common = {
      request: r,
      promptTokens: result.promptTokens[r] as number,
      outputTokens: result.outputTokens[r] as number,
    };
    if (scheduled > arrival) spans.push({ ...common, phase: "queued", startMs: arrival, endMs: scheduled });
    spans.push({ ...common, phase: "prefill", startMs: scheduled, endMs: first });
    if (done > first) spans.push({ ...common, phase: "decode", startMs: first, endMs: done });
  }
  return spans;
}

/** A Gantt chart of requests as Vega-Lite: one row per request, its queueing, prefill and decode. */
export function requestTimelineSpec(spans: readonly RequestSpan[], title?: string): Record<string, unknown> {
  const requests = spans.reduce((max, s) => Math.max(max, s.request + 1), 0);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(title ? { title } : {}),
    width: 760,
    height: Math.min(900, Math.max(160, 3 * requests)),
    data: { values: spans },
    mark: { type: "bar", height: { band: 1 } },
    encoding: {
      x: { field: "startMs", type: "quantitative", title: "time (ms)" },
      x2: { field: "endMs" },
      y: {
        field: "request",
        type: "ordinal",
        title: `request (first ${requests}, in arrival order)`,
        axis: null,
      },
      color: {
        field: "phase",
        type: "nominal",
        title: null,
        scale: { domain: ["queued", "prefill", "decode"], range: ["#bab0ac", "#f28e2b", "#4e79a7"] },
      },
      tooltip: [
        { field: "request", type: "quantitative" },
        { field: "phase", type: "nominal" },
        { field: "startMs", type: "quantitative", format: ".1f" },
        { field: "endMs", type: "quantitative", format: ".1f" },
        { field: "promptTokens", type: "quantitative" },
        { field: "outputTokens", type: "quantitative" },
      ],
    },
    config: { font: "DejaVu Sans", background: "white", view: { stroke: "#ddd" } },
  };
}
