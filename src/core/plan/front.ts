/**
 * Exact, order-independent selections over evaluated configurations, so that a sweep split into
 * shards and merged gives what one pass gives: a Pareto front (front(A ∪ B) = front(front(A) ∪
 * front(B))) and a top-K list, both breaking exact ties by the lower configuration index.
 */

export interface FrontPoint {
  readonly index: number;
  /** Both maximised: tokens/s per user (x) and tokens/s per GPU (y). */
  readonly tokensPerSecPerUser: number;
  readonly tokensPerSecPerGpu: number;
}

/**
 * Points no other point dominates (at least as good on both axes, better on one); of identical
 * points only the one with the lowest index. Kept sorted by x ascending, so y strictly descends and
 * membership is a binary search.
 */
export class ParetoFront<T extends FrontPoint> {
  readonly points: T[];

  constructor(points: readonly T[] = []) {
    this.points = [];
    for (const point of points) this.add(point);
  }

  /** First position whose x is >= `x`. */
  private lowerBound(x: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.points[mid] as T).tokensPerSecPerUser < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether a point with these figures would enter the front (cheap; call before building it). */
  admits(x: number, y: number, index: number): boolean {
    if (!(Number.isFinite(x) && Number.isFinite(y))) return false;
    const at = this.points[this.lowerBound(x)];
    if (at === undefined || at.tokensPerSecPerGpu < y) return true;
    return at.tokensPerSecPerUser === x && at.tokensPerSecPerGpu === y && index < at.index;
  }

  add(point: T): boolean {
    const x = point.tokensPerSecPerUser;
    const y = point.tokensPerSecPerGpu;
    if (!this.admits(x, y, point.index)) return false;
    const lo = this.lowerBound(x);
    const at = this.points[lo];
    // Dominated by the newcomer: the member at lo when it has the same x (and a lower or equal y), and
    // the run of members just left of lo whose y is no higher.
    const end = at !== undefined && at.tokensPerSecPerUser === x ? lo + 1 : lo;
    let start = lo;
    while (start > 0 && (this.points[start - 1] as T).tokensPerSecPerGpu <= y) start--;
    this.points.splice(start, end - start, point);
    return true;
  }
}

/** The K items of lowest `rank`, ties broken by the lower index. */
export class TopK<T extends { readonly index: number }> {
  readonly items: T[] = [];
  private readonly limit: number;
  private readonly rank: (item: T) => number;

  constructor(limit: number, rank: (item: T) => number, items: readonly T[] = []) {
    this.limit = limit;
    this.rank = rank;
    for (const item of items) this.add(item);
  }

  /** Whether an item of this rank and index would enter (cheap; call before building it). */
  admits(rank: number, index: number): boolean {
    if (this.limit <= 0 || Number.isNaN(rank)) return false;
    if (this.items.length < this.limit) return true;
    const last = this.items[this.items.length - 1] as T;
    const lastRank = this.rank(last);
    return rank < lastRank || (rank === lastRank && index < last.index);
  }

  add(item: T): void {
    const rank = this.rank(item);
    if (!this.admits(rank, item.index)) return;
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.items[mid] as T;
      const otherRank = this.rank(other);
      if (otherRank < rank || (otherRank === rank && other.index < item.index)) lo = mid + 1;
      else hi = mid;
    }
    if (this.items[lo]?.index === item.index) return;
    this.items.splice(lo, 0, item);
    if (this.items.length > this.limit) this.items.pop();
  }
}
