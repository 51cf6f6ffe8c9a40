/**
 * The four resources a micro-batch visits per layer in attention-FFN disaggregation: the attention
 * GPUs, the attention-to-FFN link, the FFN GPUs and the FFN-to-attention link.
 */
export const AFD_RESOURCES = ["attention", "to-ffn", "ffn", "to-attention"] as const;
export type AfdResource = (typeof AFD_RESOURCES)[number];

/** One visit of a micro-batch to a resource. */
export interface AfdStage {
  readonly resource: AfdResource;
  readonly ms: number;
}

/**
 * Step time of `microBatches` micro-batches that each pass `stages` in order (the ping-pong
 * pipeline of MegaScale-Infer, arXiv:2504.02263): every resource serves the micro-batches round-robin, so
 * a stage starts at max(its micro-batch left the previous stage, the resource finished the previous
 * micro-batch). This is exact for fixed stage times and accounts the pipeline fill and drain; in
 * steady state a layer takes max(m · slowest stage, Σ stages).
 *
 * @example
 * pingPongStepMs([{ resource: "attention", ms: 2 }, { resource: "ffn", ms: 1 }], 2); // 5
 */
export function pingPongStepMs(stages: readonly AfdStage[], microBatches: number): number {
  const freeAt = new Map<AfdResource, number>();
  const doneAt = new Float64Array(microBatches);
  for (const stage of stages) {
    let free = freeAt.get(stage.resource) ?? 0;
    for (let j = 0; j < microBatches; j++) {
      const start = Math.max(doneAt[j] as number, free);
      free = start + stage.ms;
      doneAt[j] = free;
    }
    freeAt.set(stage.resource, free);
  }
  let last = 0;
  for (const t of doneAt) last = Math.max(last, t);
  return last;
}

/**
 * Steady-state time of one layer for m micro-batches, the limit of pingPongStepMs over many
 * identical layers: the slowest resource busy m times, or one micro-batch's path when m is too small
 * to fill the pipeline.
 */
export function steadyLayerMs(stageMs: readonly number[], microBatches: number): number {
  return Math.max(
    microBatches * Math.max(...stageMs),
    stageMs.reduce((sum, ms) => sum + ms, 0),
  );
}
