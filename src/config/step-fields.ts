import { dtypeValue, intAtLeastValue, positiveNumberValue, weightBlockSizeValue } from "./flag-values.ts";

const atLeast = (min: number) => (text: string) => intAtLeastValue(text, min);
const positive = (text: string) => positiveNumberValue(text);
const text = (value: string) => value;

/**
 * How each step-scenario field's text is read (the parser `llmsim step`'s flag uses; enumerated
 * texts are left to the scenario schema, as the CLI leaves them). `llmsim step` merges its flags
 * over a scenario file by these keys; `llmsim compare --b KEY=VALUE` and the web explorer's form
 * read values with this table.
 */
export const STEP_FIELD_PARSERS = {
  model: text,
  hardware: text,
  phase: text,
  tp: atLeast(1),
  pp: atLeast(1),
  dp: atLeast(1),
  ep: atLeast(1),
  batch: atLeast(1),
  seq: atLeast(1),
  context: atLeast(1),
  cached: atLeast(0),
  prefillBatch: atLeast(1),
  weightDtype: dtypeValue,
  kvDtype: dtypeValue,
  activationDtype: dtypeValue,
  weightBlockSize: weightBlockSizeValue,
  overlap: text,
  mla: text,
  a2a: text,
  allReduce: text,
  redundantExperts: atLeast(0),
  expertImbalance: positive,
  memoryUtilization: positive,
  scaleUpGBps: positive,
  scaleOutGBps: positive,
  hbmGBps: positive,
  gpus: atLeast(1),
  ignoreMemory: (value: string) => value !== "false",
  domainGpus: atLeast(1),
} as const satisfies Record<string, (text: string) => unknown>;

export type StepField = keyof typeof STEP_FIELD_PARSERS;

/** The step fields, in the order commands and forms list them. */
export const STEP_FIELDS = Object.keys(STEP_FIELD_PARSERS) as StepField[];
