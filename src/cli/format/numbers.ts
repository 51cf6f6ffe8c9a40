/** Number formatting for human tables (machine formats print raw numbers). */

/** Fixed decimals with thousands separators. */
export function fixed(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Compact SI form: 1.23 G, 456 M, 7.8 k. */
export function si(value: number, digits = 3): string {
  const abs = Math.abs(value);
  const units: [number, string][] = [
    [1e15, "P"],
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [scale, unit] of units)
    if (abs >= scale) return `${(value / scale).toPrecision(digits)} ${unit}`;
  return value === 0 ? "0" : value.toPrecision(digits);
}

/** Bytes as SI gigabytes. */
export const gb = (bytes: number, digits = 2): string => `${fixed(bytes / 1e9, digits)} GB`;

/** Billions of parameters. */
export const billions = (count: number, digits = 2): string => `${fixed(count / 1e9, digits)} B`;
