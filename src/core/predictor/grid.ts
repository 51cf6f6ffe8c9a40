/**
 * A correction grid: a value (log of measured / base time) on a rectilinear grid of feature knots,
 * read back by multilinear interpolation. Built from scattered measurements: the knots are the
 * distinct feature values of the data (quantiles beyond MAX_KNOTS per axis, points then landing on
 * their nearest knots), cells without data are filled by linear interpolation along one axis at a
 * time (M first for GEMMs, the densest axis of profiling sweeps), and the envelope of the data is
 * the knot range on every axis.
 */
export interface CorrectionGrid {
  /** Sorted knots per axis. */
  readonly knots: readonly Float64Array[];
  /** Row-major values, last axis fastest. */
  readonly values: Float64Array;
  /** 1 where the cell holds measured data exactly on its knots (not filled, not merged). */
  readonly measured: Uint8Array;
}

const MAX_KNOTS = 512;
/** Features closer than this (log2 units) are the same knot: only float noise, never two sizes. */
const SAME = 1e-9;

function axisKnots(values: Float64Array): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const unique: number[] = [];
  for (const v of sorted)
    if (unique.length === 0 || v - (unique[unique.length - 1] as number) > SAME) unique.push(v);
  if (unique.length <= MAX_KNOTS) return Float64Array.from(unique);
  // Quantile knots keep the densest parts of the sweep, ends included.
  const picked = new Set<number>();
  for (let i = 0; i < MAX_KNOTS; i++)
    picked.add(unique[Math.round((i * (unique.length - 1)) / (MAX_KNOTS - 1))] as number);
  return Float64Array.from([...picked].sort((a, b) => a - b));
}

/** Index of the last knot <= v (0 below the first knot); the knots are sorted. */
function lowerKnot(knots: Float64Array, v: number): number {
  let lo = 0;
  let hi = knots.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((knots[mid] as number) <= v) lo = mid;
    else hi = mid;
  }
  return hi > lo && (knots[hi] as number) <= v ? hi : lo;
}

/** Index of the knot nearest to v. */
function nearestKnot(knots: Float64Array, v: number): number {
  const lo = lowerKnot(knots, v);
  const hi = Math.min(lo + 1, knots.length - 1);
  return Math.abs(v - (knots[lo] as number)) <= Math.abs((knots[hi] as number) - v) ? lo : hi;
}

interface Bracket {
  lo: number;
  hi: number;
  /** Weight of the upper knot. */
  w: number;
}

/** Writes the cell bracketing x on one axis (clamped to the knot range) into `out`. */
function bracketInto(knots: Float64Array, x: number, out: Bracket): void {
  const last = knots.length - 1;
  const v = Math.min(Math.max(x, knots[0] as number), knots[last] as number);
  const lo = Math.min(lowerKnot(knots, v), Math.max(0, last - 1));
  const hi = Math.min(lo + 1, last);
  const span = (knots[hi] as number) - (knots[lo] as number);
  out.lo = lo;
  out.hi = hi;
  out.w = span > 0 ? (v - (knots[lo] as number)) / span : 0;
}

const scratch: Bracket = { lo: 0, hi: 0, w: 0 };

function strides(knots: readonly Float64Array[]): number[] {
  const out = new Array<number>(knots.length);
  let stride = 1;
  for (let axis = knots.length - 1; axis >= 0; axis--) {
    out[axis] = stride;
    stride *= (knots[axis] as Float64Array).length;
  }
  return out;
}

/** Fills unknown cells along every line of one axis by linear interpolation between known cells. */
function fillAlongAxis(
  knots: readonly Float64Array[],
  values: Float64Array,
  known: Uint8Array,
  axis: number,
): void {
  const step = strides(knots);
  const axisKnotsOf = knots[axis] as Float64Array;
  const length = axisKnotsOf.length;
  const stride = step[axis] as number;
  const total = values.length;
  const line = new Int32Array(length);
  for (let start = 0; start < total; start++) {
    // A line starts at every cell whose coordinate on `axis` is 0.
    if (Math.floor(start / stride) % length !== 0) continue;
    let firstKnown = -1;
    let knownCount = 0;
    for (let i = 0; i < length; i++) {
      line[i] = start + i * stride;
      if (known[line[i] as number]) {
        knownCount++;
        if (firstKnown < 0) firstKnown = i;
      }
    }
    if (knownCount === 0 || knownCount === length) continue;
    let previous = -1;
    for (let i = 0; i < length; i++) {
      const cell = line[i] as number;
      if (!known[cell]) continue;
      if (previous < 0) {
        for (let j = 0; j < i; j++) values[line[j] as number] = values[cell] as number;
      } else {
        const x0 = axisKnotsOf[previous] as number;
        const x1 = axisKnotsOf[i] as number;
        const v0 = values[line[previous] as number] as number;
        const v1 = values[cell] as number;
        for (let j = previous + 1; j < i; j++)
          values[line[j] as number] = v0 + ((v1 - v0) * ((axisKnotsOf[j] as number) - x0)) / (x1 - x0);
      }
      previous = i;
    }
    for (let j = previous + 1; j < length; j++)
      values[line[j] as number] = values[line[previous] as number] as number;
    for (let i = 0; i < length; i++) known[line[i] as number] = 1;
  }
}

/**
 * Builds a grid from `count` points of `dims` features (row-major) and their values; points on the
 * same knots are averaged.
 */
export function buildGrid(points: Float64Array, dims: number, values: Float64Array): CorrectionGrid {
  const count = values.length;
  const knots: Float64Array[] = [];
  for (let axis = 0; axis < dims; axis++) {
    const column = new Float64Array(count);
    for (let i = 0; i < count; i++) column[i] = points[i * dims + axis] as number;
    knots.push(axisKnots(column));
  }
  const step = strides(knots);
  const cells = knots.reduce((n, k) => n * k.length, 1);
  const sum = new Float64Array(cells);
  const hits = new Uint32Array(cells);
  // A cell is "measured" only while every point in it sits exactly on its knots (repeats of one
  // shape average, which is their measurement); a point snapped to a capped knot spoils it.
  const exact = new Uint8Array(cells).fill(1);
  for (let i = 0; i < count; i++) {
    let cell = 0;
    let onKnots = true;
    for (let axis = 0; axis < dims; axis++) {
      const axisKnotsOf = knots[axis] as Float64Array;
      const v = points[i * dims + axis] as number;
      const index = nearestKnot(axisKnotsOf, v);
      if (Math.abs((axisKnotsOf[index] as number) - v) > SAME) onKnots = false;
      cell += index * (step[axis] as number);
    }
    sum[cell] = (sum[cell] as number) + (values[i] as number);
    hits[cell] = (hits[cell] as number) + 1;
    if (!onKnots) exact[cell] = 0;
  }
  const grid = new Float64Array(cells);
  const measured = new Uint8Array(cells);
  const known = new Uint8Array(cells);
  for (let cell = 0; cell < cells; cell++) {
    const n = hits[cell] as number;
    if (n > 0) {
      grid[cell] = (sum[cell] as number) / n;
      known[cell] = 1;
      measured[cell] = exact[cell] as number;
    }
  }
  // One pass over the axes fills every cell: after axis a, every line along a that held data is
  // full, so each line of a later axis meets at least one known cell.
  for (let axis = 0; axis < dims; axis++) fillAlongAxis(knots, grid, known, axis);
  return { knots, values: grid, measured };
}

/** True when every feature lies within the knot range of its axis. */
export function insideGrid(grid: CorrectionGrid, x: Float64Array): boolean {
  for (let axis = 0; axis < grid.knots.length; axis++) {
    const knots = grid.knots[axis] as Float64Array;
    const v = x[axis] as number;
    if (v < (knots[0] as number) - SAME || v > (knots[knots.length - 1] as number) + SAME) return false;
  }
  return true;
}

/** True when x sits on knots of a cell that holds measured data. */
export function onMeasuredNode(grid: CorrectionGrid, x: Float64Array): boolean {
  let cell = 0;
  let stride = 1;
  for (let axis = grid.knots.length - 1; axis >= 0; axis--) {
    const knots = grid.knots[axis] as Float64Array;
    const index = nearestKnot(knots, x[axis] as number);
    if (Math.abs((knots[index] as number) - (x[axis] as number)) > SAME) return false;
    cell += index * stride;
    stride *= knots.length;
  }
  return grid.measured[cell] === 1;
}

/** Multilinear interpolation at x; each feature is clamped to its axis' knot range. */
export function gridValue(grid: CorrectionGrid, x: Float64Array): number {
  const dims = grid.knots.length;
  if (dims > 3) return gridValueAnyDims(grid, x);
  let base = 0;
  let stride = 1;
  // Up to 3 axes: lower index offset and weight of the upper knot per axis.
  let o0 = 0;
  let o1 = 0;
  let o2 = 0;
  let w0 = 0;
  let w1 = 0;
  let w2 = 0;
  for (let axis = dims - 1; axis >= 0; axis--) {
    const knots = grid.knots[axis] as Float64Array;
    bracketInto(knots, x[axis] as number, scratch);
    const w = scratch.w;
    base += scratch.lo * stride;
    const offset = scratch.hi > scratch.lo ? stride : 0;
    if (axis === 0) {
      o0 = offset;
      w0 = w;
    } else if (axis === 1) {
      o1 = offset;
      w1 = w;
    } else {
      o2 = offset;
      w2 = w;
    }
    stride *= knots.length;
  }
  const v = grid.values;
  if (dims === 1) return (1 - w0) * (v[base] as number) + w0 * (v[base + o0] as number);
  if (dims === 2)
    return (
      (1 - w0) * ((1 - w1) * (v[base] as number) + w1 * (v[base + o1] as number)) +
      w0 * ((1 - w1) * (v[base + o0] as number) + w1 * (v[base + o0 + o1] as number))
    );
  const lower =
    (1 - w1) * ((1 - w2) * (v[base] as number) + w2 * (v[base + o2] as number)) +
    w1 * ((1 - w2) * (v[base + o1] as number) + w2 * (v[base + o1 + o2] as number));
  const upper =
    (1 - w1) * ((1 - w2) * (v[base + o0] as number) + w2 * (v[base + o0 + o2] as number)) +
    w1 * ((1 - w2) * (v[base + o0 + o1] as number) + w2 * (v[base + o0 + o1 + o2] as number));
  return (1 - w0) * lower + w0 * upper;
}

/** Per-axis scratch of gridValueAnyDims (predictions allocate nothing); more axes than any feature space. */
const ANY_DIMS_MAX = 8;
const anyOffset = new Float64Array(ANY_DIMS_MAX);
const anyWeight = new Float64Array(ANY_DIMS_MAX);

/**
 * Multilinear interpolation for any number of axes: a sum over the 2^n corners of the axes whose
 * point lies strictly above its lower knot (an axis of one knot, or with the point on its lower
 * knot or clamped below the first, adds no corner; a NaN feature still gives NaN).
 */
function gridValueAnyDims(grid: CorrectionGrid, x: Float64Array): number {
  const dims = grid.knots.length;
  if (dims > ANY_DIMS_MAX) throw new Error(`a correction grid of ${dims} axes (at most ${ANY_DIMS_MAX})`);
  let active = 0;
  let stride = 1;
  let base = 0;
  for (let axis = dims - 1; axis >= 0; axis--) {
    const knots = grid.knots[axis] as Float64Array;
    bracketInto(knots, x[axis] as number, scratch);
    base += scratch.lo * stride;
    if (scratch.w !== 0) {
      anyOffset[active] = stride;
      anyWeight[active] = scratch.w;
      active++;
    }
    stride *= knots.length;
  }
  let sum = 0;
  for (let corner = 0; corner < 1 << active; corner++) {
    let cell = base;
    let w = 1;
    for (let a = 0; a < active; a++) {
      if ((corner >> a) & 1) {
        cell += anyOffset[a] as number;
        w *= anyWeight[a] as number;
      } else w *= 1 - (anyWeight[a] as number);
    }
    sum += w * (grid.values[cell] as number);
  }
  return sum;
}
