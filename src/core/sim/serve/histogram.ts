/**
 * A histogram of positive durations on logarithmic bins 0.1% wide (1 ns to ~10^4 s), for
 * percentiles of values too many to keep (inter-token latencies: one per generated token).
 * Percentiles are exact to within one bin, i.e. 0.1% relative.
 */
export class LogHistogram {
  private static readonly MIN = 1e-9;
  private static readonly RATIO = 1.001;
  private static readonly LOG_RATIO = Math.log(LogHistogram.RATIO);
  private readonly counts = new Float64Array(Math.ceil(Math.log(1e13) / LogHistogram.LOG_RATIO) + 2);
  private total = 0;
  private sum = 0;
  private maxValue = 0;

  add(value: number): void {
    const bin =
      value <= LogHistogram.MIN
        ? 0
        : Math.min(
            this.counts.length - 1,
            1 + Math.floor(Math.log(value / LogHistogram.MIN) / LogHistogram.LOG_RATIO),
          );
    this.counts[bin] = (this.counts[bin] as number) + 1;
    this.total++;
    this.sum += value;
    if (value > this.maxValue) this.maxValue = value;
  }

  get count(): number {
    return this.total;
  }

  get mean(): number {
    return this.total === 0 ? Number.NaN : this.sum / this.total;
  }

  get max(): number {
    return this.total === 0 ? Number.NaN : this.maxValue;
  }

  /** The value at quantile q in [0, 1] (upper edge of its bin, capped at the maximum seen). */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let bin = 0; bin < this.counts.length; bin++) {
      seen += this.counts[bin] as number;
      if (seen >= rank)
        return Math.min(
          this.maxValue,
          bin === 0 ? LogHistogram.MIN : LogHistogram.MIN * LogHistogram.RATIO ** bin,
        );
    }
    return this.maxValue;
  }
}
