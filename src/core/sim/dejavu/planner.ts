import { dejavuBaseline, dejavuDisaggregated } from "./simulators.ts";

/** One model's entry of DéjàVu's model_info.json: whole-model prompt and token times (ms) per batch size. */
export interface ModelTimings {
  /** Batch sizes in file order; the last is taken as the largest. */
  readonly batchSizes: readonly number[];
  /** [prompt ms, token ms] per batch size, paired with `batchSizes` by position (as upstream does). */
  readonly timingsMs: readonly (readonly [number, number])[];
}

/**
 * The planner's built-in memory tables (simulate_all.py): weights in GB and KV cache in GB per
 * sequence per token, for the models the paper plans.
 */
export const DEJAVU_MODEL_MEMORY: Readonly<
  Record<string, { readonly weightsGB: number; readonly kvGBPerToken: number }>
> = {
  "OPT-13B": { weightsGB: 26, kvGBPerToken: 0.00085 },
  "OPT-30B": { weightsGB: 60, kvGBPerToken: 0.001375 },
  "OPT-66B": { weightsGB: 132, kvGBPerToken: 0.00236 },
  "OPT-175B": { weightsGB: 350, kvGBPerToken: 0.00483 },
  "BLOOM-176B": { weightsGB: 352, kvGBPerToken: 0.004 },
};

/** Prompt length of the prompt-side memory check and maximum sequence length of the others (simulate_all.py). */
export const DEJAVU_PROMPT_TOKENS = 1000;
export const DEJAVU_MAX_SEQ_TOKENS = 2000;
export const DEJAVU_MACHINE_COUNTS: readonly number[] = [1, 2, 4, 6, 8, 10, 12, 14, 16];
/** The planner plans the first 256 trace entries. */
export const DEJAVU_PLAN_ENTRIES = 256;

/**
 * What the search needs to know about a deployment, as plain data (so worker threads can share
 * it): per batch-size index, per-stage times for every pipeline depth, memory fit, and the KV
 * transfer time of a DV split. Index `stages - 1` for depths.
 */
export interface PlannerTables {
  readonly batchSizes: readonly number[];
  /** [prompt ms, token ms] per stage of a `stages`-deep pipeline. */
  readonly stageMs: readonly (readonly (readonly [number, number])[])[];
  /** Fits a `stages`-deep pipeline holding the prompt (DEJAVU_PROMPT_TOKENS) per sequence: the prompt side. */
  readonly fitsPrompt: readonly (readonly boolean[])[];
  /** Fits a `stages`-deep pipeline holding DEJAVU_MAX_SEQ_TOKENS per sequence: plain pipelines and the token side. */
  readonly fitsFull: readonly (readonly boolean[])[];
  /** KV-cache transfer ms per prompt stage of a `promptStages`-deep prompt pipeline. */
  readonly cacheMs: readonly (readonly number[])[];
}

export interface PlannerInput {
  /** Clamped generated tokens of the first 256 trace entries (microbatches of the largest batch size). */
  readonly tokens: Int32Array;
  readonly tables: PlannerTables;
  readonly machineCostPerHour: number;
  readonly rps: number;
  readonly machineCounts?: readonly number[];
}

/**
 * DéjàVu's physics (simulate_all.py): whole-model times from model_info.json divided by the stage
 * count, `ceil(weights / stages) + kv · b · seq < mem` (strict), and no KV transfer time.
 */
export function dejavuTables(
  timings: ModelTimings,
  memory: { readonly weightsGB: number; readonly kvGBPerToken: number; readonly memPerMachineGB: number },
  maxStages = Math.max(...DEJAVU_MACHINE_COUNTS),
): PlannerTables {
  const depths = Array.from({ length: maxStages }, (_, k) => k + 1);
  const fits = (i: number, stages: number, seqTokens: number) =>
    Math.ceil(memory.weightsGB / stages) +
      memory.kvGBPerToken * (timings.batchSizes[i] as number) * seqTokens <
    memory.memPerMachineGB;
  return {
    batchSizes: timings.batchSizes,
    stageMs: timings.batchSizes.map((_, i) => {
      const [prompt, token] = timings.timingsMs[i] as readonly [number, number];
      return depths.map((stages): [number, number] => [prompt / stages, token / stages]);
    }),
    fitsPrompt: timings.batchSizes.map((_, i) =>
      depths.map((stages) => fits(i, stages, DEJAVU_PROMPT_TOKENS)),
    ),
    fitsFull: timings.batchSizes.map((_, i) =>
      depths.map((stages) => fits(i, stages, DEJAVU_MAX_SEQ_TOKENS)),
    ),
    cacheMs: timings.batchSizes.map(() => depths.map(() => 0)),
  };
}

export interface BaselineChoice {
  readonly bs: number;
  readonly totalTimeSec: number;
  readonly cost: number;
}
export interface DpChoice extends BaselineChoice {
  readonly dp: number;
  readonly pp: number;
}
export interface DvChoice extends BaselineChoice {
  readonly pm: number;
  readonly tm: number;
}

/** Best configuration of each family for one machine count; null when nothing fits. */
export interface PlanRow {
  readonly machines: number;
  readonly baseline: BaselineChoice | null;
  readonly baselineDp: DpChoice | null;
  readonly dv: DvChoice | null;
}

/** Entry j of the largest-batch trace repeated Bmax / b times consecutively: the same sequences in microbatches of b. */
function expand(tokens: Int32Array, repeat: number): Int32Array {
  const out = new Int32Array(tokens.length * repeat);
  for (let j = 0; j < tokens.length; j++) out.fill(tokens[j] as number, j * repeat, (j + 1) * repeat);
  return out;
}

/** One simulation of the search: a family, its split (dp or pm; 0 for Baseline) and a batch-size index. */
export interface PlanTask {
  readonly machines: number;
  readonly family: "baseline" | "baselineDp" | "dv";
  readonly split: number;
  readonly batchIndex: number;
  /** Stage passes the simulation will run, for balancing work across threads. */
  readonly cost: number;
}

/**
 * Every simulation DéjàVu's planner runs, in its order (machine count; Baseline, then each dp,
 * then each prompt-machine count; batch sizes inner), keeping only configurations that fit.
 */
export function dejavuPlanTasks(input: PlannerInput): PlanTask[] {
  const { batchSizes, fitsFull, fitsPrompt } = input.tables;
  const fits = (table: typeof fitsFull, i: number, stages: number) =>
    (table[i] as readonly boolean[])[stages - 1] === true;
  const largest = batchSizes[batchSizes.length - 1] as number;
  let tokenSum = 0;
  for (const t of input.tokens) tokenSum += t;
  const passes = (i: number, stages: number, prompt: number) => {
    const repeat = Math.floor(largest / (batchSizes[i] as number));
    return stages * repeat * tokenSum + prompt * repeat * input.tokens.length;
  };
  const tasks: PlanTask[] = [];
  for (const machines of input.machineCounts ?? DEJAVU_MACHINE_COUNTS) {
    batchSizes.forEach((_, i) => {
      if (fits(fitsFull, i, machines))
        tasks.push({
          machines,
          family: "baseline",
          split: 0,
          batchIndex: i,
          cost: passes(i, machines, machines),
        });
    });
    for (let dp = 2; dp <= machines; dp++) {
      if (machines % dp !== 0) continue;
      batchSizes.forEach((_, i) => {
        const pp = machines / dp;
        if (fits(fitsFull, i, pp))
          tasks.push({ machines, family: "baselineDp", split: dp, batchIndex: i, cost: passes(i, pp, pp) });
      });
    }
    for (let pm = 1; pm < machines; pm++) {
      batchSizes.forEach((_, i) => {
        const tm = machines - pm;
        if (fits(fitsPrompt, i, pm) && fits(fitsFull, i, tm))
          tasks.push({ machines, family: "dv", split: pm, batchIndex: i, cost: passes(i, tm, pm) });
      });
    }
  }
  return tasks;
}

/** A planner bound to its input: runs any task of `dejavuPlanTasks` (the expanded workloads are built once). */
export function dejavuPlanRunner(input: PlannerInput): (task: PlanTask) => number {
  const { batchSizes, stageMs: stageTable, cacheMs: cacheTable } = input.tables;
  const stageMs = (i: number, stages: number) =>
    (stageTable[i] as readonly (readonly [number, number])[])[stages - 1] as readonly [number, number];
  const largest = batchSizes[batchSizes.length - 1] as number;
  const workloads = batchSizes.map((b) => expand(input.tokens, Math.floor(largest / b)));
  const { rps } = input;
  return (task) => {
    const i = task.batchIndex;
    const all = workloads[i] as Int32Array;
    if (task.family === "baseline") {
      const [promptMs, tokenMs] = stageMs(i, task.machines);
      return (
        maxOf(dejavuBaseline({ tokens: all, rps, machines: task.machines, promptMs, tokenMs }).endUs) / 1e6
      );
    }
    if (task.family === "baselineDp") {
      const dp = task.split;
      const pp = task.machines / dp;
      const [promptMs, tokenMs] = stageMs(i, pp);
      // Contiguous parts of len // dp (the remainder is dropped, as upstream), each re-seeded.
      const part = Math.floor(all.length / dp);
      let makespan = 0;
      for (let k = 0; k < dp; k++) {
        const result = dejavuBaseline({
          tokens: all.subarray(k * part, (k + 1) * part),
          rps,
          machines: pp,
          promptMs,
          tokenMs,
        });
        const partMakespan = maxOf(result.endUs) / 1e6;
        if (partMakespan > makespan) makespan = partMakespan;
      }
      return makespan;
    }
    const pm = task.split;
    const tm = task.machines - pm;
    const [promptMs] = stageMs(i, pm);
    const [, tokenMs] = stageMs(i, tm);
    const result = dejavuDisaggregated({
      tokens: all,
      rps,
      promptMachines: pm,
      tokenMachines: tm,
      promptMs,
      tokenMs,
      cacheMs: (cacheTable[i] as readonly number[])[pm - 1] as number,
    });
    return maxOf(result.endUs) / 1e6;
  };
}

/** The best configuration of each family per machine count: strictly smallest makespan, first seen on ties. */
export function selectDejavuPlan(
  input: PlannerInput,
  tasks: readonly PlanTask[],
  makespansSec: Float64Array,
): PlanRow[] {
  const { batchSizes } = input.tables;
  const costOf = (makespanSec: number, machines: number) =>
    (makespanSec / 3600) * machines * input.machineCostPerHour;
  return (input.machineCounts ?? DEJAVU_MACHINE_COUNTS).map((machines): PlanRow => {
    let baseline: BaselineChoice | null = null;
    let baselineDp: DpChoice | null = null;
    let dv: DvChoice | null = null;
    tasks.forEach((task, k) => {
      if (task.machines !== machines) return;
      const totalTimeSec = makespansSec[k] as number;
      const bs = batchSizes[task.batchIndex] as number;
      const cost = costOf(totalTimeSec, machines);
      if (task.family === "baseline") {
        if (baseline === null || totalTimeSec < baseline.totalTimeSec) baseline = { bs, totalTimeSec, cost };
      } else if (task.family === "baselineDp") {
        if (baselineDp === null || totalTimeSec < baselineDp.totalTimeSec)
          baselineDp = { dp: task.split, pp: machines / task.split, bs, totalTimeSec, cost };
      } else if (dv === null || totalTimeSec < dv.totalTimeSec)
        dv = { pm: task.split, tm: machines - task.split, bs, totalTimeSec, cost };
    });
    return { machines, baseline, baselineDp, dv };
  });
}

/**
 * DéjàVu's planner simulation (simulate_all.py, SPEC §5): for each machine count, the best plain
 * pipeline, data-parallel pipelines and prompt/token split by makespan, each simulated with the
 * same cyclic-pipeline simulators as `dejavu baseline|dv`. Single-threaded; the CLI spreads the
 * tasks over worker threads and selects with `selectDejavuPlan`, which gives the same rows.
 */
export function dejavuPlan(input: PlannerInput): PlanRow[] {
  const tasks = dejavuPlanTasks(input);
  const run = dejavuPlanRunner(input);
  return selectDejavuPlan(input, tasks, Float64Array.from(tasks, run));
}

function maxOf(values: Float64Array): number {
  let max = 0;
  for (const value of values) if (value > max) max = value;
  return max;
}
