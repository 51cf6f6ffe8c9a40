/**
 * The value a plain lookup table holds under a key read from user input, or undefined. `table[key]`
 * alone would find Object.prototype's members for keys such as "constructor" or "toString".
 */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
