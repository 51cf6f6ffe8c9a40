import { STEP_FIELDS, type StepField } from "../../src/config/step-fields.ts";

/**
 * The whole scenario of the explorer as a flat record of strings: what the form shows, what the
 * URL carries (only the fields that differ from the defaults), and what the worker turns into
 * engine input with the library's own builders. An empty string means "unset" (the CLI default).
 */

export const VIEWS = ["step", "decode", "prefill", "sweep", "serve", "plan", "compare"] as const;
export type View = (typeof VIEWS)[number];

export const VIEW_TITLES: Record<View, string> = {
  step: "Step breakdown",
  decode: "EP decode table",
  prefill: "Prefill breakdown",
  sweep: "Sweep chart",
  serve: "Serving",
  plan: "Planner",
  compare: "Compare",
};

/** The model field's value when the pasted/dropped config.json is the model. */
export const CUSTOM_MODEL = "config.json";

export const DEFAULTS = {
  view: "step",
  // model and hardware (every view)
  model: "deepseek-ai/DeepSeek-V3",
  modelText: "",
  hardware: "H800-SXM",
  hardwareText: "",
  // kernel times of the step, compare and serving views: "" (the roofline) or a predictor file
  // loaded in the page, as "<file name>#<content hash>" (the file itself never enters the URL)
  predictor: "",
  // step scenario: the fields of `llmsim step` (defaults: its built-in scenario, DEFAULT_STEP_SCENARIO)
  phase: "decode",
  tp: "1",
  pp: "1",
  dp: "32",
  ep: "32",
  batch: "64",
  seq: "4383",
  context: "",
  cached: "",
  prefillBatch: "",
  weightDtype: "",
  weightBlockSize: "",
  kvDtype: "",
  activationDtype: "",
  overlap: "two-micro-batch",
  mla: "",
  a2a: "",
  allReduce: "",
  redundantExperts: "",
  expertImbalance: "",
  memoryUtilization: "",
  ignoreMemory: "",
  scaleUpGBps: "",
  scaleOutGBps: "",
  hbmGBps: "",
  // EP analyses (decode table, prefill, sweep): the fields of `llmsim decode-sweep`
  preset: "llmsim",
  decodeView: "table",
  decodeFilter: "",
  decodeSort: "",
  gpus: "",
  batchSizes: "16,32,64,128,256,512",
  tps: "1,4,8",
  eps: "8,16,36,72,144,320",
  seqLen: "4383",
  decodeLen: "1210",
  tpsLimit: "",
  fp8Combine: "",
  prefillTp: "4",
  prefillDp: "8",
  kvCacheRate: "0.563",
  sweep: "seq-len=1024:16384:512",
  sweepMetric: "Total",
  sweepBy: "batch",
  // serving: the fields of `llmsim serve`
  serveModel: "meta-llama/Llama-3.1-8B",
  serveHardware: "H100-SXM",
  serveTp: "1",
  serveDp: "",
  serveEp: "",
  serveWeightDtype: "",
  serveKvDtype: "",
  serveAllReduce: "",
  serveMode: "aggregated",
  replicas: "1",
  prefillReplicas: "1",
  decodeReplicas: "1",
  prefillHardware: "",
  decodeHardware: "",
  prefillTpServe: "",
  decodeTpServe: "",
  rate: "10",
  requests: "300",
  arrival: "poisson",
  promptTokens: "lmsys",
  outputTokens: "lmsys",
  scheduler: "continuous",
  hostOverheadMs: "",
  sloTtftMs: "",
  sloTpotMs: "",
  seed: "0",
  // planner: the fields of `llmsim plan`
  planHardware: "H100-SXM",
  planGpus: "16",
  planModel: "meta-llama/Llama-3.1-70B",
  planRate: "",
  isl: "lmsys",
  osl: "lmsys",
  ttftMs: "2000",
  tpotMs: "50",
  // compare: scenario B's overrides of the step scenario
  bHardware: "H20",
  bTp: "",
  bDp: "",
  bEp: "",
  bBatch: "",
} as const;

export type Field = keyof typeof DEFAULTS;
export type State = Record<Field, string>;

export const defaultState = (): State => ({ ...DEFAULTS });

const isField = (key: string): key is Field => Object.hasOwn(DEFAULTS, key);

/** The URL fragment of a state: only the fields that differ from the defaults. */
export function encodeState(state: State): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS) as Field[]) {
    if (state[key] !== DEFAULTS[key]) params.set(key, state[key]);
  }
  return params.toString();
}

/** The state a URL fragment describes (unknown keys are ignored; a bad view falls back to step). */
export function decodeState(fragment: string): State {
  const state = defaultState();
  const params = new URLSearchParams(fragment.replace(/^#/, ""));
  for (const [key, value] of params) if (isField(key)) state[key] = value;
  if (!(VIEWS as readonly string[]).includes(state.view)) state.view = "step";
  return state;
}

/** Step fields the form does not show as inputs (model and hardware come apart; ignoreMemory is a checkbox). */
const NOT_STEP_INPUTS: readonly StepField[] = ["model", "hardware", "gpus", "ignoreMemory", "domainGpus"];

/** The step-scenario fields the form shows, in the order the CLI command lists their flags. */
export const STEP_FORM_FIELDS = STEP_FIELDS.filter(
  (field): field is StepField & Field => !NOT_STEP_INPUTS.includes(field) && Object.hasOwn(DEFAULTS, field),
);

/** The file name a `predictor` value names ("" for the roofline). */
export const predictorFileName = (value: string): string => value.replace(/#[0-9a-f]+$/, "");
