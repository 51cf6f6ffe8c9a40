import type { Issue } from "../issues.ts";

/** Prefill of `sequences` prompts of `newTokens` each, after `cachedTokens` already in the KV cache. */
export interface PrefillPart {
  readonly sequences: number;
  readonly newTokens: number;
  /** Prefix-cache hits: tokens per sequence whose KV entries already exist. */
  readonly cachedTokens: number;
}

/** One decode step for `sequences` sequences whose new token attends `contextTokens` keys. */
export interface DecodePart {
  readonly sequences: number;
  /** KV length each new token attends to (its own entry included). */
  readonly contextTokens: number;
}

/**
 * What one forward step processes on one attention-DP group (the tp GPUs that hold a copy of the
 * activations). Prefill, decode, or both (a mixed batch, as chunked-prefill schedulers run).
 */
export interface StepWorkload {
  readonly prefill: PrefillPart | null;
  readonly decode: DecodePart | null;
}

/** Tokens the step's GEMMs see on one attention-DP group. */
export function stepTokens(workload: StepWorkload): number {
  return (
    (workload.prefill ? workload.prefill.sequences * workload.prefill.newTokens : 0) +
    (workload.decode?.sequences ?? 0)
  );
}

/** Sequences in the step (each yields one next-token logit row). */
export function stepSequences(workload: StepWorkload): number {
  return (workload.prefill?.sequences ?? 0) + (workload.decode?.sequences ?? 0);
}

/** The same workload with `fraction` of the sequences (one micro-batch of two, for example). */
export function scaleSequences(workload: StepWorkload, fraction: number): StepWorkload {
  return {
    prefill: workload.prefill
      ? { ...workload.prefill, sequences: workload.prefill.sequences * fraction }
      : null,
    decode: workload.decode ? { ...workload.decode, sequences: workload.decode.sequences * fraction } : null,
  };
}

const positiveInt = (value: number) => Number.isInteger(value) && value >= 1;

/** Checks sizes: sequences and token counts are positive integers, cached tokens >= 0. */
export function validateWorkload(workload: StepWorkload): Issue[] {
  const issues: Issue[] = [];
  const bad = (path: string[], message: string) =>
    issues.push({ code: "invalid-value", path: ["workload", ...path], message });
  if (!workload.prefill && !workload.decode) bad([], "a step needs a prefill part, a decode part or both");
  if (workload.prefill) {
    const { sequences, newTokens, cachedTokens } = workload.prefill;
    if (!positiveInt(sequences))
      bad(["prefill", "sequences"], `batch must be an integer >= 1, got ${sequences}`);
    if (!positiveInt(newTokens))
      bad(["prefill", "newTokens"], `sequence length must be an integer >= 1, got ${newTokens}`);
    if (!Number.isInteger(cachedTokens) || cachedTokens < 0) {
      bad(["prefill", "cachedTokens"], `cached prefix must be an integer >= 0, got ${cachedTokens}`);
    }
  }
  if (workload.decode) {
    const { sequences, contextTokens } = workload.decode;
    if (!positiveInt(sequences))
      bad(["decode", "sequences"], `batch must be an integer >= 1, got ${sequences}`);
    if (!positiveInt(contextTokens))
      bad(["decode", "contextTokens"], `context must be an integer >= 1, got ${contextTokens}`);
  }
  return issues;
}
