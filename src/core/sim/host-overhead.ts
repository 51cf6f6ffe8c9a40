import { InputError } from "../issues.ts";
import type { StepTimeModel } from "./step-time.ts";

/**
 * Host (CPU) time a serving engine adds to every iteration besides the GPU's step: scheduling,
 * input preparation, sampling and output processing, plus the workers' glue (Vidur's
 * `cpu_overheads.csv` terms). A function of the iteration's batch size (sequences), piecewise
 * linear through measured points and flat beyond the first and last of them.
 */
export interface HostOverheadCurve {
  /** Ascending, distinct batch sizes (sequences per iteration). */
  readonly batchSeqs: Float64Array;
  /** Milliseconds at each batch size. */
  readonly ms: Float64Array;
  /** Where the figures come from, for the report: "1.5 ms" or "vidur cpu_overheads.csv, <model> TP2". */
  readonly label: string;
}

/** One host-overhead curve per (model, TP degree) of a measurement file. */
export interface HostOverheadTable {
  readonly file: string;
  readonly curves: readonly {
    readonly model: string;
    readonly tp: number;
    readonly curve: HostOverheadCurve;
  }[];
}

/** Where a serving run's host overhead comes from: a fixed time per iteration, or a measured table. */
export type HostOverheadSource =
  | { readonly kind: "constant"; readonly ms: number }
  | { readonly kind: "table"; readonly table: HostOverheadTable };

export function constantHostOverhead(ms: number): HostOverheadCurve {
  return { batchSeqs: Float64Array.of(1), ms: Float64Array.of(ms), label: `${ms} ms per iteration` };
}

/** The overhead of an iteration holding `batchSeqs` sequences. */
export function hostOverheadMs(curve: HostOverheadCurve, batchSeqs: number): number {
  const { batchSeqs: xs, ms } = curve;
  const last = xs.length - 1;
  if (batchSeqs <= (xs[0] as number)) return ms[0] as number;
  if (batchSeqs >= (xs[last] as number)) return ms[last] as number;
  let hi = 1;
  while ((xs[hi] as number) < batchSeqs) hi++;
  const x0 = xs[hi - 1] as number;
  const x1 = xs[hi] as number;
  const y0 = ms[hi - 1] as number;
  return y0 + ((ms[hi] as number) - y0) * ((batchSeqs - x0) / (x1 - x0));
}

/**
 * The curve a pool of `modelId` replicas at tensor parallelism `tp` uses. A table must hold that
 * exact model and TP degree (host overhead grows with TP through the workers' synchronisation, so
 * another degree's figures would mislead); otherwise InputError lists what the file holds.
 */
export function hostOverheadCurveFor(
  source: HostOverheadSource,
  modelId: string,
  tp: number,
  flag = "--host-overhead-table",
): HostOverheadCurve {
  if (source.kind === "constant") return constantHostOverhead(source.ms);
  const found = source.table.curves.find((c) => c.model === modelId && c.tp === tp);
  if (found) return found.curve;
  throw new InputError([
    {
      code: "invalid-value",
      path: [flag],
      file: source.table.file,
      message: `no host-overhead rows for ${modelId} at TP ${tp}`,
      allowed: source.table.curves.map((c) => `${c.model} TP${c.tp}`),
    },
  ]);
}

/**
 * Step times with the host overhead added to every pipeline stage of every non-empty iteration
 * (Vidur's convention: each stage's execution time includes the CPU overhead of the iteration).
 */
export function withHostOverhead(stepTime: StepTimeModel, curve: HostOverheadCurve): StepTimeModel {
  const out = new Float64Array(stepTime.stages);
  return {
    stages: stepTime.stages,
    stageMs(prefillTokens, prefillSeqs, decodeSeqs, decodeContextTokens) {
      const base = stepTime.stageMs(prefillTokens, prefillSeqs, decodeSeqs, decodeContextTokens);
      const seqs = (prefillTokens > 0 ? prefillSeqs : 0) + (decodeSeqs > 0 ? decodeSeqs : 0);
      const extra = seqs > 0 ? hostOverheadMs(curve, seqs) : 0;
      for (let s = 0; s < out.length; s++) out[s] = (base[s] as number) + extra;
      return out;
    },
    evaluations: stepTime.evaluations,
  };
}
