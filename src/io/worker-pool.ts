import { availableParallelism } from "node:os";
import { Piscina } from "piscina";

/** Threads to use: the requested count, else every core. */
export function threadCount(requested?: number): number {
  return Math.max(1, requested ?? availableParallelism());
}

/**
 * Splits tasks over `threads` by cost, largest first onto the least-loaded thread (LPT), so the
 * threads finish together. Returns one ascending list of task indices per thread.
 */
export function balance(costs: readonly number[], threads: number): number[][] {
  const order = costs.map((_, i) => i).sort((a, b) => (costs[b] as number) - (costs[a] as number) || a - b);
  const loads = new Array<number>(threads).fill(0);
  const parts: number[][] = Array.from({ length: threads }, () => []);
  for (const index of order) {
    let lightest = 0;
    for (let t = 1; t < threads; t++) if ((loads[t] as number) < (loads[lightest] as number)) lightest = t;
    (parts[lightest] as number[]).push(index);
    loads[lightest] = (loads[lightest] as number) + (costs[index] as number);
  }
  return parts.map((part) => part.sort((a, b) => a - b));
}

/**
 * Runs each part on a piscina thread pool: `workerFile`'s default export receives `{ spec, indices }`
 * and returns a Float64Array of results in the order of its indices. Results are gathered by task
 * index, so the outcome does not depend on how the work was split.
 */
export async function runOnWorkers(
  workerFile: URL,
  spec: unknown,
  parts: readonly number[][],
  taskCount: number,
): Promise<Float64Array> {
  const busy = parts.filter((indices) => indices.length > 0);
  const pool = new Piscina({
    filename: workerFile.href,
    minThreads: 0,
    maxThreads: Math.max(1, busy.length),
  });
  const results = new Float64Array(taskCount);
  try {
    await Promise.all(
      busy.map(async (indices) => {
        const values = (await pool.run({ spec, indices })) as Float64Array;
        indices.forEach((index, k) => {
          results[index] = values[k] as number;
        });
      }),
    );
  } finally {
    await pool.destroy();
  }
  return results;
}
