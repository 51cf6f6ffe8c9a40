import { defaultPlanAxes, PLAN_DEFAULTS } from "../../src/core/plan/defaults.ts";
import {
  lengthStatistics,
  type PlanAxes,
  type PlanLengths,
  type PlanSpec,
} from "../../src/core/plan/spec.ts";
import { hardware, model } from "./fixtures.ts";

/**
 * A small planning spec: Llama-3.1-8B on one or more catalog accelerators, fixed lengths ISL 1000
 * / OSL 200, a budget of 8 GPUs, catalog prices, and narrow axes; every field overridable.
 */
export function planSpec(
  overrides: Partial<Omit<PlanSpec, "axes">> & {
    axes?: Partial<PlanAxes>;
    modelId?: string;
    hardwareNames?: string[];
  } = {},
): PlanSpec {
  const { axes, modelId, hardwareNames, ...rest } = overrides;
  const m = model(modelId ?? "meta-llama/Llama-3.1-8B");
  const names = hardwareNames ?? ["H100"];
  const hw = names.map(hardware);
  const lengths: PlanLengths = rest.lengths ?? {
    kind: "distributions",
    prompt: { kind: "fixed", tokens: 1000 },
    output: { kind: "fixed", tokens: 200 },
  };
  const gpus = rest.budget?.gpus ?? 8;
  return {
    model: m,
    hardware: hw,
    pricesUsdPerGpuHour: hw.map((h) => h.priceUsdPerGpuHour ?? null),
    budget: { gpus, gpusPerHardware: hw.map(() => null) },
    lengths,
    statistics: lengthStatistics(lengths),
    ratePerSec: null,
    slo: { percentile: 90 },
    objective: "throughput",
    dtypes: {},
    memoryUtilization: PLAN_DEFAULTS.memoryUtilization,
    allReduce: PLAN_DEFAULTS.allReduce,
    maxBatchedTokens: PLAN_DEFAULTS.maxBatchedTokens,
    kvLink: { bandwidthBytesPerSecPerGpu: null, latencySec: 0 },
    recheck: { candidates: 2, requests: 300, load: 0.8, seed: 0 },
    ...rest,
    axes: {
      ...defaultPlanAxes(m, hw.length, gpus),
      tp: [1, 2],
      batch: [8, 16],
      prefillReplicas: [1, 2],
      decodeReplicas: [1, 3],
      ...axes,
    },
  };
}
