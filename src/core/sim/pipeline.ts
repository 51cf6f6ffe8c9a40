/**
 * A pipeline of `stages` servers run in strict cyclic FIFO order — FasterTransformer-style
 * pipelined static batching, the scheduler of DéjàVu's simulators (SPEC §3-§4). Each in-flight
 * job (a microbatch) is one work item: it passes every stage for its prompt pass (optional) and
 * then once per decode step; a stage starts an item at max(item ready, stage free); items go to
 * the back of one FIFO list, so nothing overtakes. When a job finishes, the next job is admitted.
 * Typed-array ring buffer, no allocation per step.
 */
export interface CyclicPipelineInput {
  readonly stages: number;
  /** Prompt pass per stage in µs, or null for no prompt pass (a token-only pipeline). */
  readonly promptUs: number | null;
  /** One decode pass per stage in µs. */
  readonly tokenUs: number;
  /** Decode passes per job. */
  readonly passes: Int32Array;
  /** Ready time of each job's first item, µs. */
  readonly readyUs: Float64Array;
  /** Ready time of the first `stages` jobs (admitted together at the start). */
  readonly initialReadyUs: (job: number) => number;
  /** Admitted jobs wait for stage 0 too (ready = max(stage-0 clock, readyUs)), or keep readyUs. */
  readonly admitAtStageClock: boolean;
  /** Called for every stage pass, in simulation order (for traces). decodeIndex is -1 for prompt passes. */
  readonly onPass?: (
    stage: number,
    job: number,
    decodeIndex: number,
    startUs: number,
    durationUs: number,
  ) => void;
}

export interface CyclicPipelineResult {
  /** Completion time of each job, µs. */
  readonly endUs: Float64Array;
  /** Completions at which another in-flight job still had more than 2 decode passes left. */
  readonly earlyStops: number;
  /** Stage passes simulated. */
  readonly stageSteps: number;
}

export function runCyclicPipeline(input: CyclicPipelineInput): CyclicPipelineResult {
  const { stages, promptUs, tokenUs, passes, readyUs, onPass } = input;
  const jobs = passes.length;
  if (jobs < stages)
    throw new RangeError(`a ${stages}-stage pipeline needs at least ${stages} jobs, got ${jobs}`);
  const capacity = stages + 1;
  const itemStage = new Int32Array(capacity);
  const itemJob = new Int32Array(capacity);
  const itemPrompt = new Uint8Array(capacity);
  const itemReady = new Float64Array(capacity);
  const itemPasses = new Int32Array(capacity);
  let head = 0;
  let size = 0;
  const push = (stage: number, job: number, prompt: boolean, ready: number, left: number) => {
    const slot = (head + size) % capacity;
    itemStage[slot] = stage;
    itemJob[slot] = job;
    itemPrompt[slot] = prompt ? 1 : 0;
    itemReady[slot] = ready;
    itemPasses[slot] = left;
    size++;
  };
  const clock = new Float64Array(stages);
  const endUs = new Float64Array(jobs);
  const hasPrompt = promptUs !== null;
  const last = stages - 1;
  for (let job = 0; job < stages; job++)
    push(0, job, hasPrompt, input.initialReadyUs(job), passes[job] as number);
  let next = stages;
  let earlyStops = 0;
  let stageSteps = 0;
  while (size > 0) {
    const stage = itemStage[head] as number;
    const job = itemJob[head] as number;
    const prompt = itemPrompt[head] === 1;
    const ready = itemReady[head] as number;
    const left = itemPasses[head] as number;
    head = (head + 1) % capacity;
    size--;
    stageSteps++;
    const duration = prompt ? (promptUs as number) : tokenUs;
    const free = clock[stage] as number;
    const start = ready > free ? ready : free;
    const done = start + duration;
    clock[stage] = done;
    if (onPass) onPass(stage, job, prompt ? -1 : (passes[job] as number) - left, start, duration);
    if (stage < last) push(stage + 1, job, prompt, done, left);
    else if (prompt) push(0, job, false, done, left);
    else if (left > 1) push(0, job, false, done, left - 1);
    else {
      endUs[job] = done;
      for (let i = 0; i < size; i++) {
        if ((itemPasses[(head + i) % capacity] as number) > 2) {
          earlyStops++;
          break;
        }
      }
      if (next < jobs) {
        const admitted = readyUs[next] as number;
        const stage0 = clock[0] as number;
        push(
          0,
          next,
          hasPrompt,
          input.admitAtStageClock && stage0 > admitted ? stage0 : admitted,
          passes[next] as number,
        );
        next++;
      }
    }
  }
  return { endUs, earlyStops, stageSteps };
}
