import { InputError } from "../issues.ts";

/** A slice on a lane of the timeline, times in ms. */
export interface TimelineSlice {
  readonly lane: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly kind: string;
  readonly name: string;
}

/** A flow arrow (e.g. a KV-cache hand-off) from one lane to another. */
export interface TimelineFlow {
  readonly fromLane: string;
  readonly fromMs: number;
  readonly toLane: string;
  readonly toMs: number;
}

export interface Timeline {
  readonly lanes: readonly string[];
  readonly slices: readonly TimelineSlice[];
  readonly flows: readonly TimelineFlow[];
}

interface RawEvent {
  readonly ph?: unknown;
  readonly pid?: unknown;
  readonly tid?: unknown;
  readonly ts?: unknown;
  readonly dur?: unknown;
  readonly name?: unknown;
  readonly id?: unknown;
  readonly args?: { readonly name?: unknown };
}

/** "prefill", "decode", "KV of request" ... : the name without trailing ids ("p12" -> "p", "t3,4" -> "t"). */
const kindOf = (name: string) => name.replace(/[\d,\s]+$/, "") || name;

/**
 * The complete slices ("X") and flows ("s"/"f") of a Chrome trace (a bare event array, as DéjàVu
 * writes, or {"traceEvents": [...]}, as llmsim writes) that overlap [fromMs, toMs], on lanes named
 * "process / thread" in order of (pid, tid).
 */
export function timelineOf(
  trace: unknown,
  fromMs = 0,
  toMs = Number.POSITIVE_INFINITY,
  maxSlices = 20_000,
): Timeline {
  const events = (Array.isArray(trace) ? trace : (trace as { traceEvents?: unknown })?.traceEvents) as
    | RawEvent[]
    | undefined;
  if (!Array.isArray(events)) {
    throw new InputError([
      {
        code: "invalid-type",
        path: [],
        message: 'a Chrome trace is a JSON array of events or an object with "traceEvents"',
      },
    ]);
  }
  const processNames = new Map<number, string>();
  const threadNames = new Map<string, string>();
  for (const event of events) {
    if (event.ph !== "M" || typeof event.pid !== "number") continue;
    const label = String(event.args?.name ?? "");
    if (event.name === "process_name") processNames.set(event.pid, label);
    if (event.name === "thread_name") threadNames.set(`${event.pid}/${event.tid ?? 0}`, label);
  }
  const laneKeys = new Map<string, { pid: number; tid: number; label: string }>();
  const laneOf = (pid: number, tid: number) => {
    const key = `${pid}/${tid}`;
    let lane = laneKeys.get(key);
    if (!lane) {
      const process = processNames.get(pid) ?? `process ${pid}`;
      const thread = threadNames.get(key);
      lane = { pid, tid, label: thread ? `${process} / ${thread}` : process };
      laneKeys.set(key, lane);
    }
    return lane.label;
  };
  const slices: TimelineSlice[] = [];
  const flowStarts = new Map<string, { lane: string; ms: number }>();
  const flows: TimelineFlow[] = [];
  for (const event of events) {
    if (typeof event.pid !== "number" || typeof event.ts !== "number") continue;
    const tid = typeof event.tid === "number" ? event.tid : 0;
    const ms = event.ts / 1000;
    if (event.ph === "X" && typeof event.dur === "number") {
      const endMs = ms + event.dur / 1000;
      if (endMs < fromMs || ms > toMs) continue;
      const name = String(event.name ?? "");
      slices.push({
        lane: laneOf(event.pid, tid),
        startMs: Math.max(ms, fromMs),
        endMs: Math.min(endMs, toMs),
        kind: kindOf(name),
        name,
      });
      if (slices.length > maxSlices) {
        throw new InputError([
          {
            code: "too-large",
            path: [],
            message: `more than ${maxSlices} slices in the window; narrow it (--from-ms / --to-ms)`,
          },
        ]);
      }
    } else if (event.ph === "s") flowStarts.set(String(event.id), { lane: laneOf(event.pid, tid), ms });
    else if (event.ph === "f") {
      const start = flowStarts.get(String(event.id));
      if (start && start.ms <= toMs && ms >= fromMs)
        flows.push({ fromLane: start.lane, fromMs: start.ms, toLane: laneOf(event.pid, tid), toMs: ms });
    }
  }
  const lanes = [...laneKeys.values()]
    .sort((a, b) => a.pid - b.pid || a.tid - b.tid)
    .map((lane) => lane.label);
  return { lanes, slices, flows };
}

/** A Vega-Lite spec drawing the timeline: one row per lane, slices coloured by kind, flows as arrows. */
export function timelineSpec(timeline: Timeline, title?: string): Record<string, unknown> {
  const used = timeline.lanes.filter(
    (lane) =>
      timeline.slices.some((s) => s.lane === lane) ||
      timeline.flows.some((f) => f.fromLane === lane || f.toLane === lane),
  );
  const index = new Map(used.map((lane, i) => [lane, i]));
  // Lanes are drawn as ordinal indices (in pid, tid order) labelled with their names.
  const labels = `${JSON.stringify(used)}[datum.value]`;
  const y = { type: "ordinal", title: null, axis: { labelExpr: labels, labelLimit: 320 } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(title ? { title } : {}),
    width: 900,
    height: Math.max(120, 28 * used.length),
    layer: [
      {
        data: { values: timeline.slices.map((s) => ({ ...s, laneIndex: index.get(s.lane) })) },
        mark: { type: "bar", stroke: "white", strokeWidth: 0.3, height: { band: 0.7 } },
        encoding: {
          x: { field: "startMs", type: "quantitative", title: "time (ms)" },
          x2: { field: "endMs" },
          y: { ...y, field: "laneIndex" },
          color: { field: "kind", type: "nominal", title: "slice", scale: { scheme: "tableau10" } },
          tooltip: [{ field: "name" }, { field: "startMs" }, { field: "endMs" }],
        },
      },
      {
        data: {
          values: timeline.flows.map((f) => ({
            ...f,
            fromIndex: index.get(f.fromLane),
            toIndex: index.get(f.toLane),
          })),
        },
        mark: { type: "rule", color: "#444", strokeWidth: 0.8 },
        encoding: {
          x: { field: "fromMs", type: "quantitative" },
          x2: { field: "toMs" },
          y: { ...y, field: "fromIndex" },
          y2: { field: "toIndex" },
        },
      },
    ],
    config: { font: "DejaVu Sans", background: "white", view: { stroke: "#ddd" } },
  };
}
