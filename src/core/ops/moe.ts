/**
 * Expected number of an EP rank's `slots` experts that receive at least one of `tokens` tokens when
 * each token picks `topK` of `numExperts` uniformly: slots · (1 − (1 − k/E)^tokens). Decode with
 * few tokens reads only these experts' weights.
 *
 * @example
 * expectedTouchedExperts(8, 8, 2, 1); // 2 (one token touches its two experts)
 */
export function expectedTouchedExperts(
  slots: number,
  numExperts: number,
  topK: number,
  tokens: number,
): number {
  if (tokens <= 0) return 0;
  return slots * (1 - (1 - topK / numExperts) ** tokens);
}
