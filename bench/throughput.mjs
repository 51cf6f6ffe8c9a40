// Evaluations per second of a function called in a plain loop, as a sweep calls simulateStep: the
// clock is read once per batch of calls, so timing costs nothing per call, and the rate is calls
// over elapsed time (garbage collection included). Warm-up first, so the figure is the JIT's
// optimised code; the best and median of several windows are reported, since this machine is shared.
const BATCH = 1000;

function callsPerSecond(fn, windowMs) {
  let calls = 0;
  const start = performance.now();
  let elapsedMs = 0;
  while (elapsedMs < windowMs) {
    for (let i = 0; i < BATCH; i++) fn();
    calls += BATCH;
    elapsedMs = performance.now() - start;
  }
  return (calls * 1000) / elapsedMs;
}

/** { medianPerSecond, bestPerSecond } over `windows` windows of `windowMs` after a warm-up. */
export function measureThroughput(fn, { warmupMs = 1000, windowMs = 1000, windows = 5 } = {}) {
  callsPerSecond(fn, warmupMs);
  const rates = [];
  for (let w = 0; w < windows; w++) rates.push(callsPerSecond(fn, windowMs));
  rates.sort((a, b) => a - b);
  return { medianPerSecond: rates[Math.floor(rates.length / 2)], bestPerSecond: rates[rates.length - 1] };
}

export const perSecond = (rate) => Math.round(rate).toLocaleString("en-US");
