import { dejavuGroupArrivalsUs } from "../arrivals.ts";
import { Mt19937 } from "../mt19937.ts";
import { runCyclicPipeline } from "../pipeline.ts";

/** A stage pass for Chrome traces: process = stage (across both pipelines for DV), name as upstream. */
export interface DejavuTraceEvent {
  readonly pid: number;
  readonly tsUs: number;
  readonly durUs: number;
  readonly name: string;
  /** Stage index within its own pipeline (selects the colour). */
  readonly stageInPipeline: number;
}

export interface DejavuResult {
  /** Clamped generated tokens per microbatch. */
  readonly tokens: Int32Array;
  readonly arrivalUs: Float64Array;
  readonly endUs: Float64Array;
  /** Baseline only; 0 for DV. */
  readonly earlyStops: number;
  readonly stageSteps: number;
}

export interface BaselineInput {
  readonly tokens: Int32Array;
  readonly rps: number;
  readonly machines: number;
  readonly promptMs: number;
  readonly tokenMs: number;
  readonly onEvent?: (event: DejavuTraceEvent) => void;
}

/**
 * DéjàVu's non-disaggregated baseline (SPEC §3): one pipeline of N machines, each trace entry a
 * microbatch with one prompt pass and T decode passes through every stage, the first N admitted
 * at i·prompt, later ones when a slot frees (at max(stage-0 clock, arrival)). Arrivals are
 * re-seeded with 42 on every call, as upstream.
 */
export function dejavuBaseline(input: BaselineInput): DejavuResult {
  const promptUs = input.promptMs * 1000;
  const tokenUs = input.tokenMs * 1000;
  const arrivalUs = dejavuGroupArrivalsUs(input.tokens.length, input.machines, input.rps, new Mt19937(42));
  const onEvent = input.onEvent;
  const result = runCyclicPipeline({
    stages: input.machines,
    promptUs,
    tokenUs,
    passes: input.tokens,
    readyUs: arrivalUs,
    initialReadyUs: (job) => job * promptUs,
    admitAtStageClock: true,
    ...(onEvent
      ? {
          onPass: (stage: number, job: number, decodeIndex: number, startUs: number, durationUs: number) =>
            onEvent({
              pid: stage,
              tsUs: startUs,
              durUs: durationUs,
              name: decodeIndex < 0 ? `p${job}` : `t${job},${decodeIndex}`,
              stageInPipeline: stage,
            }),
        }
      : {}),
  });
  return {
    tokens: input.tokens,
    arrivalUs,
    endUs: result.endUs,
    earlyStops: result.earlyStops,
    stageSteps: result.stageSteps,
  };
}

export interface DisaggregatedInput {
  readonly tokens: Int32Array;
  readonly rps: number;
  readonly promptMachines: number;
  readonly tokenMachines: number;
  readonly promptMs: number;
  readonly tokenMs: number;
  readonly cacheMs: number;
  readonly onEvent?: (event: DejavuTraceEvent) => void;
}

/**
 * DéjàVu's prompt/token disaggregation (SPEC §4): the prompt pipeline of A machines accepts one
 * microbatch per prompt time and makes it ready A·(prompt + cache) later (KV streaming adds
 * latency, not throughput; no back-pressure); the token pipeline of B machines runs the cyclic
 * pipeline on ready microbatches in trace order.
 */
export function dejavuDisaggregated(input: DisaggregatedInput): DejavuResult {
  const promptUs = input.promptMs * 1000;
  const tokenUs = input.tokenMs * 1000;
  const cacheUs = input.cacheMs * 1000;
  const a = input.promptMachines;
  const count = input.tokens.length;
  const arrivalUs = dejavuGroupArrivalsUs(count, a + input.tokenMachines, input.rps, new Mt19937(42));
  const readyUs = new Float64Array(count);
  let promptFree = 0;
  for (let j = 0; j < count; j++) {
    const arrival = arrivalUs[j] as number;
    const start = arrival > promptFree ? arrival : promptFree;
    readyUs[j] = start + a * (promptUs + cacheUs);
    promptFree = start + promptUs;
    if (input.onEvent) {
      for (let i = 0; i < a; i++)
        input.onEvent({
          pid: i,
          tsUs: start + i * (promptUs + cacheUs),
          durUs: promptUs,
          name: `p${j}`,
          stageInPipeline: i,
        });
    }
  }
  const onEvent = input.onEvent;
  const result = runCyclicPipeline({
    stages: input.tokenMachines,
    promptUs: null,
    tokenUs,
    passes: input.tokens,
    readyUs,
    initialReadyUs: (job) => readyUs[job] as number,
    admitAtStageClock: false,
    ...(onEvent
      ? {
          onPass: (stage: number, job: number, decodeIndex: number, startUs: number, durationUs: number) =>
            onEvent({
              pid: a + stage,
              tsUs: startUs,
              durUs: durationUs,
              name: `t${job},${decodeIndex}`,
              stageInPipeline: stage,
            }),
        }
      : {}),
  });
  return {
    tokens: input.tokens,
    arrivalUs,
    endUs: result.endUs,
    earlyStops: 0,
    stageSteps: result.stageSteps,
  };
}
