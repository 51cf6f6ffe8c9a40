import { summarizeErrors } from "../predictor/calibrate.ts";

/** What the summary needs of a predicted case. */
export interface ScoredCase {
  readonly suite: string;
  /** "used" (in-sample: the case set a default or a fit) or "held-out". */
  readonly calibration: string;
  readonly level: string;
  readonly group: string;
  /** Signed error, %, or null when the case could not be expressed. */
  readonly errorPct: number | null;
}

export interface SliceSummary {
  readonly slice: string;
  readonly n: number;
  /** Cases the simulator expressed, over all cases. */
  readonly coverage: number;
  readonly medianAbsPct: number;
  readonly p90AbsPct: number;
  /** Mean absolute percentage error. */
  readonly mapePct: number;
  readonly medianSignedPct: number;
}

function summarize(slice: string, cases: readonly ScoredCase[]): SliceSummary {
  const errors = cases.flatMap((c) => (c.errorPct === null ? [] : [c.errorPct / 100]));
  const stats = summarizeErrors(errors, 0);
  return {
    slice,
    n: cases.length,
    coverage: cases.length > 0 ? errors.length / cases.length : 0,
    medianAbsPct: stats.medianAbsPct,
    p90AbsPct: stats.p90AbsPct,
    mapePct: stats.meanAbsPct,
    medianSignedPct: stats.medianSignedPct,
  };
}

/**
 * Error statistics per level, per suite and level ("anchors/kernel": targets are set per suite),
 * per suite, level and calibration split ("anchors/kernel/held-out": what calibration did not
 * see), per group (each slice in first-seen order), and over all cases.
 */
export function summarizeValidation(cases: readonly ScoredCase[]): {
  readonly levels: SliceSummary[];
  readonly suiteLevels: SliceSummary[];
  readonly calibrationSplits: SliceSummary[];
  readonly groups: SliceSummary[];
  readonly all: SliceSummary;
} {
  const by = (key: (c: ScoredCase) => string) => {
    const slices = new Map<string, ScoredCase[]>();
    for (const c of cases) {
      const k = key(c);
      const list = slices.get(k);
      if (list) list.push(c);
      else slices.set(k, [c]);
    }
    return [...slices].map(([slice, list]) => summarize(slice, list));
  };
  return {
    levels: by((c) => c.level),
    suiteLevels: by((c) => `${c.suite}/${c.level}`),
    calibrationSplits: by((c) => `${c.suite}/${c.level}/${c.calibration}`),
    groups: by((c) => c.group),
    all: summarize("all", cases),
  };
}
