import type { StepWorkload } from "../step/workload.ts";

export const SCENARIO_PHASES = ["decode", "prefill"] as const;
export type ScenarioPhase = (typeof SCENARIO_PHASES)[number];

/**
 * LLMSimulator's runtime (batch, seq) as an engine workload: prefill processes batch x seq prompt
 * tokens; decode produces one token for each of batch sequences attending seq cached tokens.
 */
export function scenarioWorkload(phase: ScenarioPhase, batch: number, seq: number): StepWorkload {
  return phase === "prefill"
    ? { prefill: { sequences: batch, newTokens: seq, cachedTokens: 0 }, decode: null }
    : { prefill: null, decode: { sequences: batch, contextTokens: seq } };
}
