/**
 * The expert-parallel decode table of ShallowSim (seed 001): per-layer component times for one
 * (GPU, TP, EP, batch) and the columns derived from them. The component times come from a
 * physics (llmsim's engine or the ShallowSim preset); the derivation is shared.
 */

/** Per-layer times in ms. */
export interface EpDecodeColumns {
  /** Attention of a dense layer (no TP) with its KV-cache read. */
  readonly denseMla: number;
  /** Dense FFN of a dense layer. */
  readonly denseMlp: number;
  /** Attention of a MoE layer at the row's TP (all-reduce included) with its KV-cache read. */
  readonly sparseMla: number;
  readonly combine: number;
  readonly sharedExpert: number;
  readonly routedExpert: number;
  readonly dispatch: number;
}

/** One row with ShallowSim's column names, in its column order. */
export interface EpDecodeRow {
  readonly GPU: string;
  readonly TP: number;
  readonly EP: number;
  readonly BatchSize: number;
  readonly DenseMLA: number;
  readonly DenseMLP: number;
  readonly SparseMLA: number;
  readonly Combine: number;
  readonly SharedExpert: number;
  readonly RoutedExpert: number;
  readonly Dispatch: number;
  readonly COMP_SUM: number;
  readonly COMM_SUM: number;
  readonly Delta: number;
  readonly TPOT: number;
  readonly TPOT_O: number;
  readonly TPS: number;
  readonly TPS_O: number;
  readonly Total: number;
  readonly Total_O: number;
  readonly Comm_Impact: number;
}

export const EP_DECODE_COLUMNS = [
  "GPU",
  "TP",
  "EP",
  "BatchSize",
  "DenseMLA",
  "DenseMLP",
  "SparseMLA",
  "Combine",
  "SharedExpert",
  "RoutedExpert",
  "Dispatch",
  "COMP_SUM",
  "COMM_SUM",
  "Delta",
  "TPOT",
  "TPOT_O",
  "TPS",
  "TPS_O",
  "Total",
  "Total_O",
  "Comm_Impact",
] as const satisfies readonly (keyof EpDecodeRow)[];

export const NUMERIC_EP_DECODE_COLUMNS = EP_DECODE_COLUMNS.filter((c) => c !== "GPU");

/**
 * Derives the table's columns (seed 001): COMP_SUM = SparseMLA + SharedExpert + RoutedExpert;
 * COMM_SUM = Dispatch + Combine; Delta = COMM_SUM - SparseMLA - SharedExpert (communication that
 * attention and the shared expert of the other micro-batch cannot hide); TPOT_O = dense layers x
 * (DenseMLA + DenseMLP) + sparse layers x COMP_SUM; TPOT adds sparse layers x Delta when Delta > 0;
 * TPS = 1000/TPOT per sequence; Total = TPS x BatchSize per GPU.
 *
 * `rule` describes a physics that differs: `delta` replaces the Delta rule (e.g. the engine's
 * communication left exposed by its overlap policy), and
 * `otherMs` adds time the columns do not carry (embedding, LM head; what an overlap saves on
 * collectives the compute columns count) to TPOT_O and TPOT.
 */
export interface DecodeRule {
  readonly delta?: number;
  readonly otherMs?: number;
}

/** Scratch for derive(): COMP_SUM, COMM_SUM, Delta, TPOT_O, TPOT (no allocation per row). */
const derived = new Float64Array(5);

function derive(
  c: EpDecodeColumns,
  denseLayers: number,
  sparseLayers: number,
  rule: DecodeRule,
): Float64Array {
  const compSum = c.sparseMla + c.sharedExpert + c.routedExpert;
  const commSum = c.dispatch + c.combine;
  const delta = rule.delta ?? commSum - c.sparseMla - c.sharedExpert;
  // Evaluation order kept as ShallowSim's so that tied rows tie bit for bit (SPEC §4.6).
  let tpotO = (c.denseMla + c.denseMlp) * denseLayers;
  tpotO += compSum * sparseLayers;
  if (rule.otherMs !== undefined) tpotO += rule.otherMs;
  derived[0] = compSum;
  derived[1] = commSum;
  derived[2] = delta;
  derived[3] = tpotO;
  derived[4] = delta > 0 ? tpotO + delta * sparseLayers : tpotO;
  return derived;
}

/** TPOT (ms) of a row, without building it. */
export function epDecodeTpotMs(
  c: EpDecodeColumns,
  denseLayers: number,
  sparseLayers: number,
  rule: DecodeRule = {},
): number {
  return derive(c, denseLayers, sparseLayers, rule)[4] as number;
}

export function epDecodeRow(
  gpu: string,
  tp: number,
  ep: number,
  batch: number,
  c: EpDecodeColumns,
  denseLayers: number,
  sparseLayers: number,
  rule: DecodeRule = {},
): EpDecodeRow {
  const d = derive(c, denseLayers, sparseLayers, rule);
  const compSum = d[0] as number;
  const commSum = d[1] as number;
  const delta = d[2] as number;
  const tpotO = d[3] as number;
  const tpot = d[4] as number;
  const tps = 1000 / tpot;
  const tpsO = 1000 / tpotO;
  const total = tps * batch;
  const totalO = tpsO * batch;
  return {
    GPU: gpu,
    TP: tp,
    EP: ep,
    BatchSize: batch,
    DenseMLA: c.denseMla,
    DenseMLP: c.denseMlp,
    SparseMLA: c.sparseMla,
    Combine: c.combine,
    SharedExpert: c.sharedExpert,
    RoutedExpert: c.routedExpert,
    Dispatch: c.dispatch,
    COMP_SUM: compSum,
    COMM_SUM: commSum,
    Delta: delta,
    TPOT: tpot,
    TPOT_O: tpotO,
    TPS: tps,
    TPS_O: tpsO,
    Total: total,
    Total_O: totalO,
    Comm_Impact: (totalO - total) / totalO,
  };
}
