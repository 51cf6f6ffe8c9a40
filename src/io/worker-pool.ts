import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

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
 * Runs `workerFile` once per part with `{ spec, indices }` as workerData; each worker posts back a
 * Float64Array of results in the order of its indices. Results are gathered by task index, so the
 * outcome does not depend on how the work was split.
 */
export async function runOnWorkers(
  workerFile: URL,
  spec: unknown,
  parts: readonly number[][],
  taskCount: number,
): Promise<Float64Array> {
  const results = new Float64Array(taskCount);
  await Promise.all(
    parts
      .filter((indices) => indices.length > 0)
      .map(
        (indices) =>
          new Promise<void>((resolve, reject) => {
            const worker = new Worker(workerFile, { workerData: { spec, indices } });
            worker.once("message", (values: Float64Array) => {
              indices.forEach((index, k) => {
                results[index] = values[k] as number;
              });
              resolve();
            });
            worker.once("error", reject);
            worker.once("exit", (code) => {
              if (code !== 0) reject(new Error(`worker stopped with exit code ${code}`));
            });
          }),
      ),
  );
  return results;
}
