import type { HardwareSpec } from "../hardware/types.ts";
import type { Issue } from "../issues.ts";
import type { ModelSpec } from "../model/types.ts";

/** EP degrees swept by default: one node of 8 up to DeepSeek's 320-GPU decode deployment. */
export const DEFAULT_EP_SWEEP = [8, 16, 32, 64, 72, 128, 144, 256, 288, 320] as const;

/** An EP degree left out of a default sweep, and why. */
export interface SkippedEp {
  readonly ep: number;
  readonly reason: string;
}

export interface EpList {
  readonly eps: readonly number[];
  readonly skipped: readonly SkippedEp[];
}

const divisors = (n: number): number[] => {
  const result: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) result.push(d);
  return result;
};

/**
 * Why `ep` cannot run, or null: slots (experts + redundant) must split evenly over the ranks, and
 * past one scale-up domain the hardware needs an RDMA (scale-out) figure.
 */
function epProblem(
  ep: number,
  slots: number,
  experts: number,
  hardware: HardwareSpec,
): { readonly reason: string; readonly divisibility: boolean } | null {
  if (!Number.isInteger(ep) || ep < 1)
    return { reason: `EP must be an integer >= 1, got ${ep}`, divisibility: false };
  if (slots % ep !== 0) {
    const redundant = slots > experts ? ` + ${slots - experts} redundant` : "";
    return {
      reason: `EP ${ep} does not divide the ${experts} experts${redundant} (${slots} slots)`,
      divisibility: true,
    };
  }
  if (ep > hardware.scaleUp.domainGpus && hardware.scaleOut.bandwidthBytesPerSec === undefined) {
    return {
      reason: `EP ${ep} spans scale-up domains of ${hardware.scaleUp.domainGpus} GPUs and ${hardware.name} has no scaleOut.bandwidthGBps`,
      divisibility: false,
    };
  }
  return null;
}

/**
 * The EP degrees to evaluate. A requested list must be valid as a whole (InputError issues naming
 * the allowed values); the default sweep keeps the degrees the model's slots and the hardware allow.
 */
export function resolveEpList(
  model: ModelSpec,
  hardware: HardwareSpec,
  redundantExperts: number,
  requested: readonly number[] | undefined,
): { readonly list: EpList; readonly issues: readonly Issue[] } {
  if (!model.moe) {
    return {
      list: { eps: [], skipped: [] },
      issues: [
        {
          code: "invalid-value",
          path: ["model"],
          message: `large-ep needs a mixture-of-experts model; ${model.id} is dense`,
        },
      ],
    };
  }
  const experts = model.moe.numExperts;
  const largestEp = Math.max(...(requested ?? DEFAULT_EP_SWEEP));
  // Beyond E·EP extra slots every rank would hold every expert more than once.
  if (redundantExperts > experts * largestEp)
    return {
      list: { eps: [], skipped: [] },
      issues: [
        {
          code: "invalid-value",
          path: ["redundantExperts"],
          message: `${redundantExperts} redundant experts exceed experts x EP = ${experts * largestEp} at EP ${largestEp} (every rank holding every expert)`,
        },
      ],
    };
  const slots = experts + redundantExperts;
  const eps: number[] = [];
  const skipped: SkippedEp[] = [];
  const issues: Issue[] = [];
  const allowed = divisors(slots)
    .filter((d) => d > 1)
    .map(String);
  for (const ep of requested ?? DEFAULT_EP_SWEEP) {
    const problem = epProblem(ep, slots, experts, hardware);
    if (problem === null) eps.push(ep);
    else if (requested === undefined) skipped.push({ ep, reason: problem.reason });
    else {
      issues.push({
        code: "invalid-value",
        path: ["ep"],
        message: problem.reason,
        ...(problem.divisibility ? { allowed } : {}),
      });
    }
  }
  return { list: { eps, skipped }, issues };
}
