import type { HardwareSpec } from "../../hardware/types.ts";
import { InputError } from "../../issues.ts";
import type { ModelSpec } from "../../model/types.ts";
import { completePlan, validatePlan } from "../../parallel/plan.ts";
import type { StepDtypes } from "../../step/dtypes.ts";
import { kvBytesPerTokenWholeModel } from "../../step/kv-capacity.ts";
import { simulateStep } from "../../step/simulate.ts";
import type { StepWorkload } from "../../step/workload.ts";
import { DEJAVU_MAX_SEQ_TOKENS, DEJAVU_PROMPT_TOKENS, type PlannerTables } from "./planner.ts";

export interface EngineTablesInput {
  readonly model: ModelSpec;
  readonly hardware: HardwareSpec;
  /** GPUs per machine: one pipeline stage per machine, tensor-parallel over its GPUs. */
  readonly gpusPerMachine: number;
  readonly batchSizes: readonly number[];
  /** Mean generated tokens of the trace: decode steps are priced at the prompt plus half of it. */
  readonly meanGeneratedTokens: number;
  readonly maxStages: number;
  readonly dtypes?: Partial<StepDtypes>;
  /** Bytes/s one machine streams KV caches at (default: the catalog's NIC bandwidth per GPU x GPUs). */
  readonly linkBytesPerSec?: number;
}

/**
 * The planner's tables from llmsim's engine instead of model_info.json: for each batch size and
 * pipeline depth (one machine per stage, TP over its GPUs), the slowest stage's prefill time for
 * 1000-token prompts and decode time at the mean context, memory fit from the memory model (KV of
 * the pipeline's in-flight micro-batches at 1000 or 2000 tokens per sequence, weights, activations),
 * and the time to stream one prompt stage's KV cache over the machine's NICs.
 */
export function engineTables(input: EngineTablesInput): PlannerTables {
  const { model, hardware, gpusPerMachine } = input;
  const depths = Array.from({ length: input.maxStages }, (_, k) => k + 1);
  const valid = (stages: number) =>
    validatePlan(model, completePlan({ tp: gpusPerMachine, pp: stages })).length === 0;
  const step = (stages: number, workload: StepWorkload) =>
    simulateStep({
      model,
      hardware,
      parallel: { tp: gpusPerMachine, pp: stages },
      workload,
      ignoreMemory: true,
      detail: "totals",
      ...(input.dtypes ? { dtypes: input.dtypes } : {}),
    });
  const slowestStageMs = (stages: number, workload: StepWorkload) =>
    Math.max(...(step(stages, workload).totals?.stageMs ?? [Number.NaN]));
  const decodeAt = (b: number, contextTokens: number): StepWorkload => ({
    prefill: null,
    decode: { sequences: b, contextTokens },
  });
  const fits = (b: number, stages: number, seqTokens: number) =>
    valid(stages) && step(stages, decodeAt(b, seqTokens)).memory.fits;
  const kvBytesPerToken = kvBytesPerTokenWholeModel(model, hardware, input.dtypes);
  const nic = hardware.scaleOut.bandwidthBytesPerSec;
  const linkBytesPerSec = input.linkBytesPerSec ?? (nic === undefined ? undefined : nic * gpusPerMachine);
  if (linkBytesPerSec === undefined) {
    throw new InputError([
      {
        code: "missing-field",
        path: ["kv_link_gbps"],
        message: `${hardware.name} has no scale-out NIC bandwidth in the catalog: give the machines' KV-cache link bandwidth`,
      },
    ]);
  }
  const decodeContext = Math.round(DEJAVU_PROMPT_TOKENS + input.meanGeneratedTokens / 2);
  return {
    batchSizes: input.batchSizes,
    stageMs: input.batchSizes.map((b) =>
      depths.map((stages): [number, number] =>
        valid(stages)
          ? [
              slowestStageMs(stages, {
                prefill: { sequences: b, newTokens: DEJAVU_PROMPT_TOKENS, cachedTokens: 0 },
                decode: null,
              }),
              slowestStageMs(stages, decodeAt(b, decodeContext)),
            ]
          : [Number.NaN, Number.NaN],
      ),
    ),
    fitsPrompt: input.batchSizes.map((b) => depths.map((stages) => fits(b, stages, DEJAVU_PROMPT_TOKENS))),
    fitsFull: input.batchSizes.map((b) => depths.map((stages) => fits(b, stages, DEJAVU_MAX_SEQ_TOKENS))),
    // Each prompt stage streams its share of the layers' KV cache for the microbatch's prompts.
    cacheMs: input.batchSizes.map((b) =>
      depths.map(
        (stages) => ((kvBytesPerToken * b * DEJAVU_PROMPT_TOKENS) / stages / linkBytesPerSec) * 1000,
      ),
    ),
  };
}
