/**
 * A pipeline of `stages` servers run in strict cyclic FIFO order — FasterTransformer-style
 * pipelined static batching, the scheduler of DéjàVu's simulators (SPEC §3-§4). Each in-flight
 * job (a microbatch) is one work item: it passes every stage for its prompt pass (optional) and
 * then once per decode step; a stage starts an item at max(item ready, stage free); items go to
 * the back of one FIFO list, so nothing overtakes. When a job finishes, the next job is admitted.
 * Typed arrays, no allocation per step.
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
  // The FIFO always holds one item per in-flight job and every item re-enters at the back, so
  // service is round-robin over `stages` job slots: each slot's item is updated in place.
  const slotStage = new Int32Array(stages);
  const slotJob = new Int32Array(stages);
  const slotPrompt = new Uint8Array(stages);
  const slotReady = new Float64Array(stages);
  const slotLeft = new Int32Array(stages);
  const slotActive = new Uint8Array(stages);
  const clock = new Float64Array(stages);
  const endUs = new Float64Array(jobs);
  const hasPrompt = promptUs !== null;
  const last = stages - 1;
  for (let job = 0; job < stages; job++) {
    slotJob[job] = job;
    slotPrompt[job] = hasPrompt ? 1 : 0;
    slotReady[job] = input.initialReadyUs(job);
    slotLeft[job] = passes[job] as number;
    slotActive[job] = 1;
  }
  let active = stages;
  let next = stages;
  let earlyStops = 0;
  let stageSteps = 0;
  for (let k = 0; active > 0; k = k === last ? 0 : k + 1) {
    if (slotActive[k] === 0) continue;
    const stage = slotStage[k] as number;
    const prompt = slotPrompt[k] === 1;
    const left = slotLeft[k] as number;
    stageSteps++;
    const duration = prompt ? (promptUs as number) : tokenUs;
    const free = clock[stage] as number;
    const ready = slotReady[k] as number;
    const start = ready > free ? ready : free;
    const done = start + duration;
    clock[stage] = done;
    if (onPass)
      onPass(
        stage,
        slotJob[k] as number,
        prompt ? -1 : (passes[slotJob[k] as number] as number) - left,
        start,
        duration,
      );
    slotReady[k] = done;
    if (stage < last) slotStage[k] = stage + 1;
    else if (prompt) {
      slotStage[k] = 0;
      slotPrompt[k] = 0;
    } else if (left > 1) {
      slotStage[k] = 0;
      slotLeft[k] = left - 1;
    } else {
      endUs[slotJob[k] as number] = done;
      for (let i = 0; i < stages; i++) {
        if (i !== k && slotActive[i] === 1 && (slotLeft[i] as number) > 2) {
          earlyStops++;
          break;
        }
      }
      if (next < jobs) {
        // The admitted job takes this slot; its first item goes to the back of the FIFO, as the freed one would.
        const admitted = readyUs[next] as number;
        const stage0 = clock[0] as number;
        slotJob[k] = next;
        slotStage[k] = 0;
        slotPrompt[k] = hasPrompt ? 1 : 0;
        slotReady[k] = input.admitAtStageClock && stage0 > admitted ? stage0 : admitted;
        slotLeft[k] = passes[next] as number;
        next++;
      } else {
        slotActive[k] = 0;
        active--;
      }
    }
  }
  return { endUs, earlyStops, stageSteps };
}
