import type { StepResult } from "../step/result.ts";

/** One component's share of two steps' difference. */
export interface ComponentDelta {
  readonly component: string;
  readonly aMs: number;
  readonly bMs: number;
  /** b - a. */
  readonly deltaMs: number;
}

export interface StepComparison {
  readonly aLatencyMs: number;
  readonly bLatencyMs: number;
  readonly deltaMs: number;
  /** Per op (summed over every layer holding it), then the overlap each side hid, then what is left (pipeline sends repeated per stage): the rows add up to deltaMs. */
  readonly byOp: readonly ComponentDelta[];
  /** Per block kind (embedding, dense, moe, head, pipeline) after overlap, plus the same remainder. */
  readonly byBlock: readonly ComponentDelta[];
  /** Compute, memory and communication time before overlap (roofs, not additive to the latency). */
  readonly byResource: readonly ComponentDelta[];
}

function sums(result: StepResult) {
  const byOp = new Map<string, number>();
  const byBlock = new Map<string, number>();
  let opMs = 0;
  let layerMs = 0;
  for (const layer of result.layers) {
    byBlock.set(layer.kind, (byBlock.get(layer.kind) ?? 0) + layer.dominantMs);
    layerMs += layer.dominantMs;
    // Op records are per micro-batch; the layer runs each of them once per micro-batch.
    const runs = layer.microBatches ?? 1;
    for (const op of layer.ops) {
      byOp.set(op.name, (byOp.get(op.name) ?? 0) + op.ms * runs);
      opMs += op.ms * runs;
    }
  }
  const latencyMs = result.totals?.latencyMs ?? Number.NaN;
  return { byOp, byBlock, overlapMs: layerMs - opMs, remainderMs: latencyMs - layerMs, latencyMs };
}

function joined(a: Map<string, number>, b: Map<string, number>): ComponentDelta[] {
  const names = [...new Set([...a.keys(), ...b.keys()])];
  return names.map((component) => {
    const aMs = a.get(component) ?? 0;
    const bMs = b.get(component) ?? 0;
    return { component, aMs, bMs, deltaMs: bMs - aMs };
  });
}

const row = (component: string, aMs: number, bMs: number): ComponentDelta => ({
  component,
  aMs,
  bMs,
  deltaMs: bMs - aMs,
});

/**
 * Where two simulated steps differ: the latency difference split over ops, block kinds and
 * resources. Each op's time is its predicted time summed over the layers (and micro-batches) that run it; the
 * "overlap" row is the time overlap hid (negative), so op rows + overlap + remainder = the latency
 * of each side exactly. Both steps must have been simulated (totals not null).
 */
export function compareSteps(a: StepResult, b: StepResult): StepComparison {
  const x = sums(a);
  const y = sums(b);
  const tail = [
    row("overlap (hidden time)", x.overlapMs, y.overlapMs),
    row("other (pipeline sends per stage)", x.remainderMs, y.remainderMs),
  ].filter((r) => r.aMs !== 0 || r.bMs !== 0);
  const byMagnitude = (rows: ComponentDelta[]) =>
    rows.sort((p, q) => Math.abs(q.deltaMs) - Math.abs(p.deltaMs) || p.component.localeCompare(q.component));
  const ta = a.totals;
  const tb = b.totals;
  return {
    aLatencyMs: x.latencyMs,
    bLatencyMs: y.latencyMs,
    deltaMs: y.latencyMs - x.latencyMs,
    byOp: [...byMagnitude(joined(x.byOp, y.byOp)), ...tail],
    byBlock: [
      ...byMagnitude(joined(x.byBlock, y.byBlock)),
      ...tail.filter((r) => !r.component.startsWith("overlap")),
    ],
    byResource:
      ta && tb
        ? [
            row("compute", ta.computeMs, tb.computeMs),
            row("memory", ta.memoryMs, tb.memoryMs),
            row("communication", ta.commMs, tb.commMs),
            row("exposed communication", ta.exposedCommMs, tb.exposedCommMs),
          ]
        : [],
  };
}
