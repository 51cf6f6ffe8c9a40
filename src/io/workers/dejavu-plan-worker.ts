import { dejavuPlanRunner, dejavuPlanTasks, type PlannerInput } from "../../core/sim/dejavu/planner.ts";

/** Runs the given tasks of a DéjàVu plan (the task list is rebuilt from the same input, so indices agree). */
export default function runPlanTasks({
  spec,
  indices,
}: {
  spec: PlannerInput;
  indices: number[];
}): Float64Array {
  const tasks = dejavuPlanTasks(spec);
  const run = dejavuPlanRunner(spec);
  return Float64Array.from(indices, (index) => run(tasks[index] as (typeof tasks)[number]));
}
