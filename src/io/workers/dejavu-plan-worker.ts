import { parentPort, workerData } from "node:worker_threads";
import { dejavuPlanRunner, dejavuPlanTasks, type PlannerInput } from "../../core/sim/dejavu/planner.ts";

/** Runs the given tasks of a DéjàVu plan (the task list is rebuilt from the same input, so indices agree). */
const { spec, indices } = workerData as { spec: PlannerInput; indices: number[] };
const tasks = dejavuPlanTasks(spec);
const run = dejavuPlanRunner(spec);
parentPort?.postMessage(Float64Array.from(indices, (index) => run(tasks[index] as (typeof tasks)[number])));
