/**
 * llmsim library API: the same engine the CLI and the web app use.
 *
 * @example
 * import { builtinModel, HardwareRegistry, hardwareSpecOf, simulateStep } from "llmsim";
 * const model = builtinModel("deepseek-ai/DeepSeek-V3");
 * const h800 = hardwareSpecOf(new HardwareRegistry().get("H800")!);
 * if (model.ok) {
 *   const result = simulateStep({ model: model.model, hardware: h800, parallel: { dp: 32, ep: 32 },
 *     workload: { prefill: null, decode: { sequences: 64, contextTokens: 4096 } } });
 *   console.log(result.totals?.latencyMs);
 * }
 */

export { type PlanParts, type PlanTrace, parsePriceTable, planSpecFromParts } from "./config/plan-request.ts";
export { acceleratorSchema, clusterSchema, hardwareFileSchema } from "./config/schema/hardware.ts";
export { type PlanScenario, planScenarioSchema } from "./config/schema/plan.ts";
export { type StepScenario, stepScenarioSchema } from "./config/schema/scenario.ts";
export { stepInputFromScenario } from "./config/step-request.ts";
export {
  type AllToAllSplit,
  COLLECTIVES,
  type CollectiveKind,
  collectiveTimeSec,
  NCCL_PROTOCOLS,
  type NetworkTiers,
  type ProtocolCost,
} from "./core/collectives/alpha-beta.ts";
export {
  BYTES_PER_ELEMENT,
  DTYPES,
  type Dtype,
  PEAK_CLASSES,
  type PeakClass,
  type WeightBlockSize,
  weightBlockOf,
} from "./core/dtype.ts";
export { BUILTIN_ACCELERATORS, HardwareRegistry } from "./core/hardware/catalog.ts";
export { applyCluster, hardwareSpecOf } from "./core/hardware/resolve.ts";
export type { AcceleratorRecord, ClusterRecord, HardwareSpec } from "./core/hardware/types.ts";
export { formatIssue, InputError, type Issue } from "./core/issues.ts";
export { builtinHfConfig, builtinModel, builtinModelIds } from "./core/model/catalog.ts";
export { type ImportResult, modelFromHfConfig } from "./core/model/from-hf-config.ts";
export { countParams, type ParamCounts } from "./core/model/params.ts";
export type { AttentionSpec, LayerKind, MlpSpec, ModelSpec, MoeSpec } from "./core/model/types.ts";
export type { Op, OpKind } from "./core/ops/types.ts";
export { type GroupSpan, groupSpan } from "./core/parallel/placement.ts";
export {
  DEFAULT_PLAN,
  type ParallelPlan,
  type ResolvedPlan,
  resolvePlan,
  validatePlan,
} from "./core/parallel/plan.ts";
export type { Candidate } from "./core/plan/evaluate.ts";
export type { Recheck } from "./core/plan/recheck.ts";
export type { PlanResult, Recommendation } from "./core/plan/recommend.ts";
export {
  planResult,
  planSpaceOf,
  type RunPlanOptions,
  runPlan,
  sweepChunks,
  sweepInThread,
} from "./core/plan/run.ts";
export type { PlanSpec } from "./core/plan/spec.ts";
export type { PlanSummary } from "./core/plan/summary.ts";
export {
  buildFamilies,
  type ErrorSummary,
  type HoldOut,
  holdOutErrors,
  type Measurement,
  summarizeErrors,
} from "./core/predictor/calibrate.ts";
export { curveMs, type EfficiencyCurve, fitCurve } from "./core/predictor/curve.ts";
export type { KernelFamily } from "./core/predictor/family.ts";
export { type FamilyMode, familyPredictor } from "./core/predictor/measured.ts";
export {
  familiesOfDocument,
  type PredictorDocument,
  toPredictorDocument,
} from "./core/predictor/predictor-file.ts";
export {
  DEFAULT_ROOFLINE_PARAMS,
  type RooflineParams,
  rooflinePredictor,
} from "./core/predictor/roofline.ts";
export type { Bound, OpTiming, Predictor } from "./core/predictor/types.ts";
export {
  constantArrivalsSec,
  dejavuGroupArrivalsUs,
  gammaArrivalsSec,
  poissonArrivalsSec,
} from "./core/sim/arrivals.ts";
export { dejavuStdout, dejavuSummary, dejavuTraceWriter } from "./core/sim/dejavu/report.ts";
export { dejavuBaseline, dejavuDisaggregated } from "./core/sim/dejavu/simulators.ts";
export { dejavuTokenCounts, parseTokenTrace } from "./core/sim/dejavu/trace-input.ts";
export { Mt19937 } from "./core/sim/mt19937.ts";
export {
  type LengthDistribution,
  LMSYS_LIKE,
  type RequestSet,
  synthesizeRequests,
} from "./core/sim/requests.ts";
export { enginePool, kvTransferBetween, type PoolSpec } from "./core/sim/serve/deployment.ts";
export { simulateServing } from "./core/sim/serve/engine.ts";
export { requestMetricsCsv, type ServeSummary, summarizeServing } from "./core/sim/serve/metrics.ts";
export type {
  KvTransferConfig,
  PoolConfig,
  RouterKind,
  SchedulerKind,
  ServeConfig,
  ServeResult,
} from "./core/sim/serve/types.ts";
export { constantStepTime, engineStepTime, type StepTimeModel } from "./core/sim/step-time.ts";
export type { AllToAllMode, MlaMode } from "./core/step/context.ts";
export { resolveDtypes, type StepDtypes } from "./core/step/dtypes.ts";
export { type KvCapacity, kvBytesPerTokenWholeModel, kvCapacity } from "./core/step/kv-capacity.ts";
export type { MemoryReport } from "./core/step/memory.ts";
export { OVERLAP_POLICIES, type OverlapPolicy } from "./core/step/overlap.ts";
export type { LayerExecution, OpRecord, StepResult, StepTotals } from "./core/step/result.ts";
export { DEFAULT_MEMORY_UTILIZATION, type StepInput, simulateStep } from "./core/step/simulate.ts";
export type { DecodePart, PrefillPart, StepWorkload } from "./core/step/workload.ts";
export { perfettoJsonSink } from "./core/trace/perfetto.ts";
export type { TraceSink } from "./core/trace/sink.ts";
