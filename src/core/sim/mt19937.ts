/**
 * MT19937 (Matsumoto & Nishimura 1998) with NumPy's legacy RandomState conventions: integer seeds
 * use init_genrand, doubles take 53 bits from two outputs ((a>>5)·2^26 + (b>>6)) / 2^53, and the
 * legacy exponential is -ln(1 - u) · scale. Reproduces `np.random.seed(42); np.random.exponential`.
 * A seeded instance is passed in wherever randomness is needed (no global generator).
 */
export class Mt19937 {
  private readonly state = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const previous = (mt[i - 1] as number) ^ ((mt[i - 1] as number) >>> 30);
      // 1812433253 · previous + i, modulo 2^32, split to stay exact in doubles.
      mt[i] =
        ((((previous & 0xffff0000) >>> 16) * 1812433253) << 16) + (previous & 0x0000ffff) * 1812433253 + i;
    }
  }

  private twist(): void {
    const mt = this.state;
    for (let i = 0; i < 624; i++) {
      const y = ((mt[i] as number) & 0x80000000) | ((mt[(i + 1) % 624] as number) & 0x7fffffff);
      mt[i] = (mt[(i + 397) % 624] as number) ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  /** Next 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    if (this.index >= 624) this.twist();
    let y = this.state[this.index++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits (NumPy's random_sample). */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Exponential variate with the given mean (NumPy's legacy exponential). */
  exponential(scale: number): number {
    return -Math.log(1 - this.nextDouble()) * scale;
  }
}
