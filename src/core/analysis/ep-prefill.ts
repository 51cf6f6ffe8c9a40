/**
 * ShallowSim's prefill breakdown (seed 001): per-layer component times of one GPU for a prompt of
 * S tokens, the two overlap residues, and the whole-prefill summary. Components come from a
 * physics; the derivation is shared.
 */

/** Per-layer times in ms. */
export interface EpPrefillColumns {
  /** Attention of a dense layer (whole prompt, one GPU). */
  readonly mla: number;
  readonly denseMlp: number;
  /** Attention of a MoE layer at the plan's TP, all-reduce included. */
  readonly tpMla: number;
  readonly sharedExpert: number;
  readonly combine: number;
  readonly routedExpert: number;
  readonly dispatch: number;
}

export interface EpPrefillBreakdown {
  readonly columns: EpPrefillColumns;
  /** Combine - (TP_MLA + Shared Expert): combine time not hidden. */
  readonly overlap1: number;
  /** Dispatch - Routed Expert: dispatch time not hidden. */
  readonly overlap2: number;
  /** Dense layers x (MLA + DenseMLP) + sparse layers x (TP_MLA + Shared + Routed), ms. */
  readonly computeMs: number;
  /** Sparse layers x (Combine + Dispatch), ms (informational). */
  readonly commMs: number;
  /** Compute plus the positive overlap residues of every sparse layer, ms. */
  readonly sumMs: number;
  /** Prompt tokens per GPU per second: (S / TP) · 1000 / Sum. */
  readonly tokensPerSecPerGpu: number;
}

/** The seed's detail rows: item name, the layer count it is counted for, and its value. */
export const PREFILL_ITEMS = [
  "MLA",
  "DenseMLP",
  "TP_MLA",
  "Shared Expert",
  "Combine",
  "Overlap1",
  "Routed Expert",
  "Dispatch",
  "Overlap2",
] as const;
export type PrefillItem = (typeof PREFILL_ITEMS)[number];

export function prefillItemValue(b: EpPrefillBreakdown, item: PrefillItem): number {
  switch (item) {
    case "MLA":
      return b.columns.mla;
    case "DenseMLP":
      return b.columns.denseMlp;
    case "TP_MLA":
      return b.columns.tpMla;
    case "Shared Expert":
      return b.columns.sharedExpert;
    case "Combine":
      return b.columns.combine;
    case "Overlap1":
      return b.overlap1;
    case "Routed Expert":
      return b.columns.routedExpert;
    case "Dispatch":
      return b.columns.dispatch;
    case "Overlap2":
      return b.overlap2;
  }
}

export const isDenseItem = (item: PrefillItem): boolean => item === "MLA" || item === "DenseMLP";

/** Derives the overlaps and the summary (seed 001 / SPEC §5.5). */
export function epPrefillBreakdown(
  c: EpPrefillColumns,
  denseLayers: number,
  sparseLayers: number,
  seqLen: number,
  tp: number,
): EpPrefillBreakdown {
  const overlap1 = c.combine - (c.tpMla + c.sharedExpert);
  const overlap2 = c.dispatch - c.routedExpert;
  const computeMs =
    denseLayers * (c.mla + c.denseMlp) + sparseLayers * (c.tpMla + c.sharedExpert + c.routedExpert);
  const commMs = sparseLayers * (c.combine + c.dispatch);
  const sumMs = computeMs + sparseLayers * Math.max(overlap1, 0) + sparseLayers * Math.max(overlap2, 0);
  return {
    columns: c,
    overlap1,
    overlap2,
    computeMs,
    commMs,
    sumMs,
    tokensPerSecPerGpu: ((seqLen / tp) * 1000) / sumMs,
  };
}
