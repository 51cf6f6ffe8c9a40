import type { StepScenario } from "./schema/scenario.ts";

/**
 * What `llmsim step` runs when given neither --scenario nor --model: DeepSeek-V3 decode on 32 H800s
 * with attention-DP and expert parallelism, at ShallowSim's default context (4383 tokens).
 * Same as examples/step-deepseek-v3-h800-decode.yaml.
 */
export const DEFAULT_STEP_SCENARIO: StepScenario = {
  model: "deepseek-ai/DeepSeek-V3",
  hardware: "H800",
  tp: 1,
  dp: 32,
  ep: 32,
  phase: "decode",
  batch: 64,
  context: 4383,
  overlap: "two-micro-batch",
};
