import type { AllReduceImplementation } from "../../collectives/custom-all-reduce.ts";
import type { HardwareSpec } from "../../hardware/types.ts";
import { InputError } from "../../issues.ts";
import type { ModelSpec } from "../../model/types.ts";
import { completePlan, type ParallelPlan, validatePlan } from "../../parallel/plan.ts";
import type { Predictor } from "../../predictor/types.ts";
import type { StepDtypes } from "../../step/dtypes.ts";
import { kvBytesPerTokenWholeModel, kvCapacity } from "../../step/kv-capacity.ts";
import type { OverlapPolicy } from "../../step/overlap.ts";
import { DEFAULT_MEMORY_UTILIZATION } from "../../step/simulate.ts";
import { type HostOverheadCurve, withHostOverhead } from "../host-overhead.ts";
import { constantStepTime, engineStepTime } from "../step-time.ts";
import type { KvTransferConfig, PoolConfig, PoolRole, SchedulerConfig } from "./types.ts";

export interface PoolSpec {
  readonly name: string;
  readonly role: PoolRole;
  readonly model: ModelSpec;
  readonly hardware: HardwareSpec;
  readonly parallel: Partial<ParallelPlan>;
  readonly replicas: number;
  readonly scheduler: SchedulerConfig;
  readonly dtypes?: Partial<StepDtypes>;
  readonly overlap?: OverlapPolicy;
  readonly allReduce?: AllReduceImplementation;
  readonly memoryUtilization?: number;
  /** Kernel-time source of the engine's step times (default: the roofline). */
  readonly predictor?: Predictor;
  /** DéjàVu-style constant whole-model iteration times instead of the engine's. */
  readonly constantStepMs?: { readonly prefillMs: number; readonly decodeMs: number };
  /** KV-cache tokens per replica instead of the engine's memory model. */
  readonly kvCapacityTokens?: number;
  /** Host (CPU) time added to every iteration (default none). */
  readonly hostOverhead?: HostOverheadCurve | undefined;
}

/**
 * A pool of identical replicas priced by the engine: step times from `simulateStep` (memoised) or
 * constants, plus the host overhead if any, and KV capacity from the memory model (usable HBM − weights − activations of a
 * max-batched-tokens step). Throws InputError when the plan is invalid or the model does not fit.
 */
export function enginePool(spec: PoolSpec): PoolConfig {
  const plan = completePlan(spec.parallel);
  const issues = validatePlan(spec.model, plan);
  if (issues.length > 0)
    throw new InputError(issues.map((issue) => ({ ...issue, path: [spec.name, ...issue.path] })));
  const kvTokens =
    spec.kvCapacityTokens ??
    kvCapacity(
      spec.model,
      spec.hardware,
      spec.parallel,
      spec.scheduler.maxBatchedTokens,
      spec.dtypes,
      spec.memoryUtilization ?? DEFAULT_MEMORY_UTILIZATION,
    ).tokens;
  const gpuStepTime = spec.constantStepMs
    ? constantStepTime(spec.constantStepMs.prefillMs, spec.constantStepMs.decodeMs, plan.pp)
    : engineStepTime({
        model: spec.model,
        hardware: spec.hardware,
        parallel: spec.parallel,
        ...(spec.dtypes ? { dtypes: spec.dtypes } : {}),
        ...(spec.overlap ? { overlap: spec.overlap } : {}),
        ...(spec.allReduce ? { allReduce: spec.allReduce } : {}),
        ...(spec.predictor ? { predictor: spec.predictor } : {}),
      });
  const stepTime = spec.hostOverhead ? withHostOverhead(gpuStepTime, spec.hostOverhead) : gpuStepTime;
  return {
    name: spec.name,
    role: spec.role,
    replicas: spec.replicas,
    gpusPerReplica: plan.tp * plan.pp * plan.dp,
    stepTime,
    kvCapacityTokens: kvTokens,
    scheduler: spec.scheduler,
    ...(spec.hostOverhead ? { hostOverhead: spec.hostOverhead } : {}),
  };
}

/**
 * Bandwidth of a KV-cache hand-off between a prefill and a decode replica over the scale-out
 * network: each GPU of the smaller replica moves its share over its own NIC, so the link is the
 * slower side's per-GPU NIC bandwidth (or `perGpuBytesPerSec`) times that GPU count. NaN when a
 * NIC figure is missing.
 */
export function kvLinkBytesPerSec(
  prefillHardware: HardwareSpec,
  decodeHardware: HardwareSpec,
  prefillGpus: number,
  decodeGpus: number,
  perGpuBytesPerSec?: number,
): number {
  const perGpu =
    perGpuBytesPerSec ??
    Math.min(
      prefillHardware.scaleOut.bandwidthBytesPerSec ?? Number.NaN,
      decodeHardware.scaleOut.bandwidthBytesPerSec ?? Number.NaN,
    );
  return perGpu * Math.min(prefillGpus, decodeGpus);
}

/**
 * KV-cache hand-off between a prefill and a decode replica (`kvLinkBytesPerSec`, or
 * `bandwidthBytesPerSec` for the whole link).
 */
export function kvTransferBetween(input: {
  readonly model: ModelSpec;
  readonly prefillHardware: HardwareSpec;
  readonly decodeHardware: HardwareSpec;
  readonly prefillParallel: Partial<ParallelPlan>;
  readonly decodeParallel: Partial<ParallelPlan>;
  readonly dtypes?: Partial<StepDtypes>;
  readonly bandwidthBytesPerSec?: number;
  readonly latencySec: number;
}): KvTransferConfig {
  const prefill = completePlan(input.prefillParallel);
  const decode = completePlan(input.decodeParallel);
  const bandwidth =
    input.bandwidthBytesPerSec ??
    kvLinkBytesPerSec(
      input.prefillHardware,
      input.decodeHardware,
      prefill.tp * prefill.pp * prefill.dp,
      decode.tp * decode.pp * decode.dp,
    );
  if (!Number.isFinite(bandwidth) || bandwidth <= 0) {
    throw new InputError([
      {
        code: "missing-field",
        path: ["kvLinkGBps"],
        message: `${input.prefillHardware.name} / ${input.decodeHardware.name}: no scale-out NIC bandwidth in the catalog; give the KV link bandwidth`,
      },
    ]);
  }
  const bytesPerToken = kvBytesPerTokenWholeModel(input.model, input.prefillHardware, input.dtypes);
  return { bytesPerToken, bandwidthBytesPerSec: bandwidth, latencySec: input.latencySec };
}
