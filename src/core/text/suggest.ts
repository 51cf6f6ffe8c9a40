/** Closest-name suggestions for unknown ids ("did you mean ..."). */

function editDistance(a: string, b: string): number {
  const previous = new Array<number>(b.length + 1);
  const current = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    for (let j = 0; j <= b.length; j++) previous[j] = current[j] ?? 0;
  }
  return previous[b.length] ?? 0;
}

const normalize = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * Up to `limit` candidates closest to `query`: substring matches first, then by edit distance on
 * lower-cased alphanumerics.
 */
export function closestNames(query: string, candidates: readonly string[], limit = 3): string[] {
  const q = normalize(query);
  const scored = candidates.map((name) => {
    const n = normalize(name);
    const contains = q.length > 0 && (n.includes(q) || q.includes(n));
    return { name, score: contains ? -1 / (1 + Math.abs(n.length - q.length)) : editDistance(q, n) };
  });
  scored.sort((x, y) => x.score - y.score || x.name.localeCompare(y.name));
  const unique: string[] = [];
  for (const { name } of scored) {
    if (!unique.includes(name)) unique.push(name);
    if (unique.length === limit) break;
  }
  return unique;
}
