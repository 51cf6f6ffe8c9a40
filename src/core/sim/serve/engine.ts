import { InputError, type Issue } from "../../issues.ts";
import type { TraceSink } from "../../trace/sink.ts";
import { EventQueue } from "../event-queue.ts";
import { LogHistogram } from "./histogram.ts";
import { IntDeque } from "./int-deque.ts";
import type { KvTransferConfig, PoolConfig, PoolResult, ServeConfig, ServeResult } from "./types.ts";

const ITERATION_END = 0;
const KV_ARRIVAL = 1;
const NOT_SET = -1;

/** A batch being formed or run on one pipeline micro-batch slot of a replica. */
interface Slot {
  readonly replica: Replica;
  readonly index: number;
  busy: boolean;
  /** Requests admitted to this slot (admission order): they hold KV blocks on the replica. */
  running: number[];
  /** This iteration's entries: request id and prefill chunk (0 = one decode token). */
  batchIds: number[];
  batchChunks: number[];
  /** Static batching: the batch still has requests generating. */
  staticActive: boolean;
}

interface Replica {
  readonly pool: Pool;
  /** Index within the pool, and process id in traces. */
  readonly index: number;
  readonly pid: number;
  readonly waiting: IntDeque;
  /** Decode pools: prefilled requests waiting for blocks here before their KV cache moves. */
  readonly incoming: IntDeque;
  /** Decode pools: KV caches that arrived (holding their blocks), waiting for a batch slot. */
  readonly landed: IntDeque;
  readonly slots: Slot[];
  readonly stageFreeSec: Float64Array;
  freeBlocks: number;
  peakBlocksUsed: number;
  outstanding: number;
  busySec: number;
  linkFreeSec: number;
  /** Awaiting batch formation at the end of the current instant. */
  dirty: boolean;
}

interface Pool {
  readonly config: PoolConfig;
  readonly blocksPerReplica: number;
  readonly replicas: Replica[];
  nextRoundRobin: number;
  iterations: number;
  preemptions: number;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/**
 * The request-level serving simulation: one deterministic discrete-event loop. Requests arrive
 * (in time order, read lazily), a router sends each to a replica of the first pool, replicas run
 * iterations formed by their scheduler (continuous, chunked or static batching) against their
 * KV-cache blocks (recompute preemption when blocks run out), and with disaggregation a request's
 * KV cache moves to a decode replica after its prefill. Events are ordered by (time, priority,
 * sequence): iteration ends, then KV arrivals, then request arrivals.
 */
export function simulateServing(config: ServeConfig): ServeResult {
  return new ServingSimulation(config).run();
}

class ServingSimulation {
  private readonly blockTokens: number;
  private readonly pools: Pool[];
  private readonly entryPool: Pool;
  private readonly decodePool: Pool | undefined;
  private readonly queue = new EventQueue();
  private readonly slots: Slot[] = [];
  private readonly dirty: Replica[] = [];
  private readonly trace: TraceSink | undefined;
  // Per-request state (structure of arrays).
  private readonly n: number;
  private readonly arrival: Float64Array;
  private readonly prompt: Int32Array;
  private readonly output: Int32Array;
  /** Tokens whose KV must be computed before decoding (the prompt; prompt + generated after a preemption). */
  private readonly target: Int32Array;
  private readonly computed: Int32Array;
  private readonly generated: Int32Array;
  private readonly blocks: Int32Array;
  /** Blocks reserved on the decode replica while the request's KV cache is in flight. */
  private readonly reservedBlocks: Int32Array;
  private readonly firstScheduled: Float64Array;
  private readonly firstToken: Float64Array;
  private readonly lastToken: Float64Array;
  private readonly completion: Float64Array;
  private readonly replicaOf: Int32Array;
  private readonly decodeReplicaOf: Int32Array;
  private readonly preemptions: Int32Array;
  private readonly itl = new LogHistogram();
  private events = 0;
  private completed = 0;

  private readonly config: ServeConfig;

  constructor(config: ServeConfig) {
    this.config = config;
    const { requests } = config;
    this.blockTokens = config.blockTokens ?? 16;
    this.trace = config.trace;
    this.n = requests.arrivalSec.length;
    this.arrival = requests.arrivalSec;
    this.prompt = requests.promptTokens;
    this.output = requests.outputTokens;
    const n = this.n;
    this.target = Int32Array.from(requests.promptTokens);
    this.computed = new Int32Array(n);
    this.generated = new Int32Array(n);
    this.blocks = new Int32Array(n);
    this.reservedBlocks = new Int32Array(n);
    this.firstScheduled = new Float64Array(n).fill(NOT_SET);
    this.firstToken = new Float64Array(n).fill(NOT_SET);
    this.lastToken = new Float64Array(n);
    this.completion = new Float64Array(n).fill(NOT_SET);
    this.replicaOf = new Int32Array(n).fill(NOT_SET);
    this.decodeReplicaOf = new Int32Array(n).fill(NOT_SET);
    this.preemptions = new Int32Array(n);
    let pid = 1;
    this.pools = config.pools.map((poolConfig) => {
      const pool: Pool = {
        config: poolConfig,
        blocksPerReplica: Math.floor(poolConfig.kvCapacityTokens / this.blockTokens),
        replicas: [],
        nextRoundRobin: 0,
        iterations: 0,
        preemptions: 0,
      };
      for (let r = 0; r < poolConfig.replicas; r++) {
        const replica: Replica = {
          pool,
          index: r,
          pid: pid++,
          waiting: new IntDeque(),
          incoming: new IntDeque(),
          landed: new IntDeque(),
          slots: [],
          stageFreeSec: new Float64Array(poolConfig.stepTime.stages),
          freeBlocks: pool.blocksPerReplica,
          peakBlocksUsed: 0,
          outstanding: 0,
          busySec: 0,
          linkFreeSec: 0,
          dirty: false,
        };
        for (let s = 0; s < poolConfig.stepTime.stages; s++) {
          const slot: Slot = {
            replica,
            index: this.slots.length,
            busy: false,
            running: [],
            batchIds: [],
            batchChunks: [],
            staticActive: false,
          };
          replica.slots.push(slot);
          this.slots.push(slot);
        }
        pool.replicas.push(replica);
      }
      return pool;
    });
    this.entryPool = this.pools[0] as Pool;
    this.decodePool = this.pools.find((pool) => pool.config.role === "decode");
    this.validate();
    this.describeTrace();
  }

  /** Every request must fit a replica's KV cache on its own, or the simulation could never finish it. */
  private validate(): void {
    const issues: Issue[] = [];
    const roles = this.pools.map((pool) => pool.config.role).join("+");
    if (roles !== "both" && roles !== "prefill+decode") {
      issues.push({
        code: "invalid-value",
        path: ["pools"],
        message: `pools must be one "both" pool or a "prefill" then a "decode" pool, got ${roles}`,
      });
    }
    if (this.decodePool && !this.config.kvTransfer)
      issues.push({
        code: "missing-field",
        path: ["kvTransfer"],
        message: "disaggregated pools need a KV transfer model",
      });
    for (const pool of this.pools) {
      const { maxSeqs, maxBatchedTokens } = pool.config.scheduler;
      if (
        !Number.isInteger(pool.config.replicas) ||
        pool.config.replicas < 1 ||
        !Number.isInteger(pool.config.stepTime.stages) ||
        pool.config.stepTime.stages < 1
      )
        issues.push({
          code: "invalid-value",
          path: [pool.config.name],
          message: "a pool needs at least 1 replica of at least 1 pipeline stage",
        });
      if (pool.blocksPerReplica < 1)
        issues.push({
          code: "does-not-fit",
          path: [pool.config.name],
          message: `a ${pool.config.name} replica has no room for a KV block (${pool.config.kvCapacityTokens} KV-cache tokens; --kv-tokens or --memory-utilization set it)`,
        });
      if (!(maxSeqs >= 1) || !(maxBatchedTokens >= 1))
        issues.push({
          code: "invalid-value",
          path: [pool.config.name, "scheduler"],
          message: "maxSeqs and maxBatchedTokens must be >= 1",
        });
    }
    for (let r = 0; r < this.n; r++) {
      const arrival = this.arrival[r] as number;
      const problem =
        !Number.isFinite(arrival) || arrival < 0
          ? `arrival ${arrival} must be a finite time >= 0`
          : r > 0 && arrival < (this.arrival[r - 1] as number)
            ? "requests must be sorted by arrival time"
            : !((this.prompt[r] as number) >= 1) || !((this.output[r] as number) >= 1)
              ? `needs at least 1 prompt and 1 output token, got ${this.prompt[r]} and ${this.output[r]}`
              : undefined;
      if (problem) {
        issues.push({ code: "invalid-value", path: ["requests", r], message: `request ${r}: ${problem}` });
        break;
      }
    }
    if (issues.length === 0) {
      const tooLong: number[] = [];
      for (let r = 0; r < this.n; r++) {
        const whole = ceilDiv((this.prompt[r] as number) + (this.output[r] as number), this.blockTokens);
        const entryNeeds = this.decodePool ? ceilDiv(this.prompt[r] as number, this.blockTokens) : whole;
        if (
          entryNeeds > this.entryPool.blocksPerReplica ||
          (this.decodePool && whole > this.decodePool.blocksPerReplica)
        )
          tooLong.push(r);
      }
      if (tooLong.length > 0) {
        const r = tooLong[0] as number;
        issues.push({
          code: "does-not-fit",
          path: ["requests", r],
          message: `request ${r} (${this.prompt[r]} prompt + ${this.output[r]} output tokens) does not fit one replica's KV cache (${this.entryPool.blocksPerReplica * this.blockTokens} tokens${this.decodePool ? `; decode replicas ${this.decodePool.blocksPerReplica * this.blockTokens}` : ""})${tooLong.length > 1 ? `; ${tooLong.length} requests are too long in all` : ""}`,
        });
      }
    }
    if (issues.length > 0) throw new InputError(issues);
  }

  private describeTrace(): void {
    const trace = this.trace;
    if (!trace) return;
    trace.processName(0, "requests");
    for (const pool of this.pools) {
      for (const replica of pool.replicas) {
        trace.processName(replica.pid, `${pool.config.name} replica ${replica.index}`);
        for (let s = 0; s < pool.config.stepTime.stages; s++)
          trace.threadName(replica.pid, s + 1, pool.config.stepTime.stages > 1 ? `stage ${s}` : "iterations");
        if (pool.config.role === "prefill")
          trace.threadName(replica.pid, pool.config.stepTime.stages + 1, "KV link");
      }
    }
  }

  run(): ServeResult {
    const queue = this.queue;
    let nextArrival = 0;
    for (;;) {
      const queued = queue.peekTime();
      const arrival = nextArrival < this.n ? (this.arrival[nextArrival] as number) : Number.POSITIVE_INFINITY;
      let now: number;
      if (arrival < queued) {
        now = arrival;
        this.onArrival(nextArrival, now);
        nextArrival++;
      } else if (queue.pop()) {
        this.events++;
        now = queue.lastTime;
        if (queue.lastKind === ITERATION_END) this.onIterationEnd(this.slots[queue.lastTarget] as Slot, now);
        else this.onKvArrival(queue.lastTarget, now);
      } else break;
      // Batches form once every event of this instant is in (simultaneous arrivals share a batch).
      const next = Math.min(
        queue.peekTime(),
        nextArrival < this.n ? (this.arrival[nextArrival] as number) : Number.POSITIVE_INFINITY,
      );
      if (next > now) this.formBatches(now);
    }
    if (this.completed !== this.n)
      throw new Error(`serving simulation stalled: ${this.completed} of ${this.n} requests completed`);
    for (const pool of this.pools) {
      for (const replica of pool.replicas) {
        if (replica.freeBlocks !== pool.blocksPerReplica) {
          throw new Error(
            `KV accounting error: ${pool.config.name} replica ${replica.index} ends with ${pool.blocksPerReplica - replica.freeBlocks} blocks held`,
          );
        }
      }
    }
    return {
      arrivalSec: this.arrival,
      promptTokens: this.prompt,
      outputTokens: this.output,
      firstScheduledSec: this.firstScheduled,
      firstTokenSec: this.firstToken,
      completionSec: this.completion,
      replica: this.replicaOf,
      decodeReplica: this.decodeReplicaOf,
      preemptions: this.preemptions,
      interTokenSec: this.itl,
      pools: this.pools.map(
        (pool): PoolResult => ({
          name: pool.config.name,
          role: pool.config.role,
          replicas: pool.config.replicas,
          gpusPerReplica: pool.config.gpusPerReplica,
          blocksPerReplica: pool.blocksPerReplica,
          peakBlocksUsed: pool.replicas.reduce((peak, replica) => Math.max(peak, replica.peakBlocksUsed), 0),
          busySec: Float64Array.from(pool.replicas, (replica) => replica.busySec),
          iterations: pool.iterations,
          preemptions: pool.preemptions,
        }),
      ),
      events: this.events + this.n,
    };
  }

  private route(pool: Pool): Replica {
    const replicas = pool.replicas;
    if (this.config.router === "round-robin") {
      const replica = replicas[pool.nextRoundRobin] as Replica;
      pool.nextRoundRobin = (pool.nextRoundRobin + 1) % replicas.length;
      return replica;
    }
    let best = replicas[0] as Replica;
    for (const replica of replicas) if (replica.outstanding < best.outstanding) best = replica;
    return best;
  }

  private onArrival(r: number, now: number): void {
    const replica = this.route(this.entryPool);
    this.replicaOf[r] = replica.index;
    replica.outstanding++;
    replica.waiting.pushBack(r);
    this.trace?.asyncBegin(0, r, `request ${r}`, now * 1e6);
    this.kick(replica);
  }

  /** Marks the replica for batch formation at the end of the current instant. */
  private kick(replica: Replica): void {
    if (replica.dirty) return;
    replica.dirty = true;
    this.dirty.push(replica);
  }

  /** Starts an iteration on every idle slot of each marked replica that has work. */
  private formBatches(now: number): void {
    for (let i = 0; i < this.dirty.length; i++) {
      const replica = this.dirty[i] as Replica;
      replica.dirty = false;
      if (replica.incoming.length > 0) this.startTransfers(replica, now);
      for (const slot of replica.slots) if (!slot.busy) this.startIteration(slot, now);
    }
    this.dirty.length = 0;
  }

  private allocate(replica: Replica, r: number, blocksNeeded: number): boolean {
    const extra = blocksNeeded - (this.blocks[r] as number);
    if (extra <= 0) return true;
    if (extra > replica.freeBlocks) return false;
    replica.freeBlocks -= extra;
    this.blocks[r] = blocksNeeded;
    const used = replica.pool.blocksPerReplica - replica.freeBlocks;
    if (used > replica.peakBlocksUsed) replica.peakBlocksUsed = used;
    return true;
  }

  private release(replica: Replica, r: number): void {
    replica.freeBlocks += this.blocks[r] as number;
    this.blocks[r] = 0;
  }

  /** Recompute preemption (vLLM's default): the request loses its KV cache and waits at the front. */
  private preempt(slot: Slot, r: number): void {
    const replica = slot.replica;
    this.release(replica, r);
    // Recomputing the prompt and every generated token yields the next token, as a decode step would.
    this.target[r] = (this.prompt[r] as number) + (this.generated[r] as number);
    this.computed[r] = 0;
    this.preemptions[r] = (this.preemptions[r] as number) + 1;
    replica.pool.preemptions++;
    replica.waiting.pushFront(r);
  }

  /** Adds one decode token for each running request in the decode phase, preempting the newest when blocks run out. */
  private addDecodes(slot: Slot, budget: number): number {
    const running = slot.running;
    let i = 0;
    while (i < running.length && budget > 0) {
      const r = running[i] as number;
      if ((this.computed[r] as number) < (this.target[r] as number)) {
        i++;
        continue;
      }
      const needed = ceilDiv((this.computed[r] as number) + 1, this.blockTokens);
      let fits = this.allocate(slot.replica, r, needed);
      while (!fits && running.length - 1 > i) {
        this.preempt(slot, running.pop() as number);
        fits = this.allocate(slot.replica, r, needed);
      }
      if (!fits) {
        running.pop();
        this.preempt(slot, r);
        break;
      }
      slot.batchIds.push(r);
      slot.batchChunks.push(0);
      budget--;
      i++;
    }
    return budget;
  }

  /**
   * Admits KV caches that arrived from prefill replicas (FIFO, up to the sequence limit). They
   * already hold their blocks, so they never wait behind a request that needs memory.
   */
  private admitLanded(slot: Slot): void {
    const { landed } = slot.replica;
    const { maxSeqs } = slot.replica.pool.config.scheduler;
    while (landed.length > 0 && slot.running.length < maxSeqs) slot.running.push(landed.popFront());
  }

  /** Admits waiting requests FCFS while they fit the sequence limit, the token budget and the free blocks. */
  private admit(slot: Slot, budget: number, chunked: boolean): number {
    const { waiting } = slot.replica;
    const { maxSeqs } = slot.replica.pool.config.scheduler;
    while (waiting.length > 0 && slot.running.length < maxSeqs) {
      const r = waiting.front();
      const remaining = (this.target[r] as number) - (this.computed[r] as number);
      if (budget <= 0) break;
      const chunk = chunked ? Math.min(remaining, budget) : remaining;
      if (!chunked && chunk > budget && slot.batchIds.length > 0) break;
      // Blocks for the whole remaining prefill up front (as vLLM's can_allocate), so later chunks never wait for memory.
      if (!this.allocate(slot.replica, r, ceilDiv(this.target[r] as number, this.blockTokens))) break;
      waiting.popFront();
      slot.running.push(r);
      slot.batchIds.push(r);
      slot.batchChunks.push(chunk);
      budget -= chunk;
    }
    return budget;
  }

  /** Prompt chunks for running requests part-way through their prefill (chunked scheduling). */
  private continuePrefills(slot: Slot, budget: number): number {
    for (const r of slot.running) {
      if (budget <= 0) break;
      const remaining = (this.target[r] as number) - (this.computed[r] as number);
      if (remaining === 0) continue;
      const chunk = Math.min(remaining, budget);
      slot.batchIds.push(r);
      slot.batchChunks.push(chunk);
      budget -= chunk;
    }
    return budget;
  }

  private formStatic(slot: Slot): void {
    const replica = slot.replica;
    if (slot.staticActive) {
      for (const r of slot.running) {
        if ((this.completion[r] as number) !== NOT_SET || this.isHandedOff(r, replica)) continue;
        slot.batchIds.push(r);
        slot.batchChunks.push(
          (this.computed[r] as number) < (this.target[r] as number)
            ? (this.target[r] as number) - (this.computed[r] as number)
            : 0,
        );
      }
      return;
    }
    const { maxSeqs } = replica.pool.config.scheduler;
    const reserveFor = (r: number) =>
      replica.pool.config.role === "prefill"
        ? (this.prompt[r] as number)
        : (this.prompt[r] as number) + (this.output[r] as number);
    // A decode pool batches KV caches that arrived (their blocks for prompt + output were reserved before the transfer).
    const queue = replica.pool.config.role === "decode" ? replica.landed : replica.waiting;
    while (queue.length > 0 && slot.running.length < maxSeqs) {
      const r = queue.front();
      if (!this.allocate(replica, r, ceilDiv(reserveFor(r), this.blockTokens))) break;
      queue.popFront();
      slot.running.push(r);
      const remaining = (this.target[r] as number) - (this.computed[r] as number);
      slot.batchIds.push(r);
      slot.batchChunks.push(remaining);
    }
    slot.staticActive = slot.running.length > 0;
  }

  private isHandedOff(r: number, replica: Replica): boolean {
    return replica.pool.config.role === "prefill" && (this.generated[r] as number) > 0;
  }

  private startIteration(slot: Slot, now: number): void {
    const pool = slot.replica.pool;
    const { kind, maxBatchedTokens } = pool.config.scheduler;
    // A formation that only preempted (freeing a sequence slot and blocks) is tried again; each
    // retry has fewer running requests, so this ends.
    let preemptions: number;
    do {
      preemptions = pool.preemptions;
      slot.batchIds.length = 0;
      slot.batchChunks.length = 0;
      if (kind === "static") this.formStatic(slot);
      else if (kind === "chunked") {
        this.admitLanded(slot);
        const budget = this.addDecodes(slot, maxBatchedTokens);
        this.admit(slot, this.continuePrefills(slot, budget), true);
      } else {
        this.admitLanded(slot);
        this.admit(slot, maxBatchedTokens, false);
        if (slot.batchIds.length === 0) this.addDecodes(slot, Number.POSITIVE_INFINITY);
      }
    } while (slot.batchIds.length === 0 && pool.preemptions > preemptions);
    const count = slot.batchIds.length;
    if (count === 0) return;
    const stage0Free = slot.replica.stageFreeSec[0] as number;
    const firstStageStart = now > stage0Free ? now : stage0Free;
    let prefillTokens = 0;
    let prefillSeqs = 0;
    let decodeSeqs = 0;
    let context = 0;
    for (let i = 0; i < count; i++) {
      const r = slot.batchIds[i] as number;
      const chunk = slot.batchChunks[i] as number;
      if ((this.firstScheduled[r] as number) === NOT_SET) this.firstScheduled[r] = firstStageStart;
      if (chunk > 0) {
        prefillTokens += chunk;
        prefillSeqs++;
      } else {
        decodeSeqs++;
        context += (this.computed[r] as number) + 1;
      }
    }
    if (kind === "static" && decodeSeqs > 0) {
      // Finished requests still occupy their rows of the batch.
      for (const r of slot.running) {
        if ((this.completion[r] as number) !== NOT_SET) {
          decodeSeqs++;
          context += (this.prompt[r] as number) + (this.output[r] as number);
        }
      }
    }
    const stageMs = pool.config.stepTime.stageMs(prefillTokens, prefillSeqs, decodeSeqs, context);
    const stages = slot.replica.stageFreeSec;
    let ready = now;
    for (let s = 0; s < stages.length; s++) {
      const free = stages[s] as number;
      const start = ready > free ? ready : free;
      const duration = (stageMs[s] as number) / 1000;
      ready = start + duration;
      stages[s] = ready;
      if (s === 0) slot.replica.busySec += duration;
      if (this.trace) {
        this.trace.slice(
          slot.replica.pid,
          s + 1,
          prefillSeqs > 0 ? (decodeSeqs > 0 ? "prefill+decode" : "prefill") : "decode",
          start * 1e6,
          duration * 1e6,
          {
            prefillTokens,
            prefillSeqs,
            decodeSeqs,
            kvBlocksUsed: pool.blocksPerReplica - slot.replica.freeBlocks,
          },
        );
      }
    }
    slot.busy = true;
    pool.iterations++;
    this.queue.push(ready, 0, ITERATION_END, slot.index);
  }

  private onIterationEnd(slot: Slot, now: number): void {
    const replica = slot.replica;
    const role = replica.pool.config.role;
    slot.busy = false;
    let finishedAny = false;
    for (let i = 0; i < slot.batchIds.length; i++) {
      const r = slot.batchIds[i] as number;
      const chunk = slot.batchChunks[i] as number;
      if (chunk > 0) {
        this.computed[r] = (this.computed[r] as number) + chunk;
        if ((this.computed[r] as number) < (this.target[r] as number)) continue;
      } else {
        this.computed[r] = (this.computed[r] as number) + 1;
      }
      this.emitToken(r, now);
      if ((this.generated[r] as number) >= (this.output[r] as number)) {
        this.finish(slot, r, now);
        finishedAny = true;
      } else if (role === "prefill") {
        this.handOff(slot, r);
        finishedAny = true;
      }
    }
    if (finishedAny) this.dropDone(slot);
    this.kick(replica);
  }

  private emitToken(r: number, now: number): void {
    const generated = this.generated[r] as number;
    if (generated === 0) this.firstToken[r] = now;
    else this.itl.add(now - (this.lastToken[r] as number));
    this.lastToken[r] = now;
    this.generated[r] = generated + 1;
    this.target[r] = this.computed[r] as number;
  }

  private finish(slot: Slot, r: number, now: number): void {
    this.completion[r] = now;
    this.completed++;
    slot.replica.outstanding--;
    if (slot.replica.pool.config.scheduler.kind !== "static") this.release(slot.replica, r);
    this.trace?.asyncEnd(0, r, `request ${r}`, now * 1e6);
  }

  /** Removes finished and handed-off requests from the slot; a static batch frees its blocks when all are done. */
  private dropDone(slot: Slot): void {
    const replica = slot.replica;
    if (replica.pool.config.scheduler.kind === "static") {
      const active = slot.running.some(
        (r) => (this.completion[r] as number) === NOT_SET && !this.isHandedOff(r, replica),
      );
      if (active) return;
      for (const r of slot.running) if ((this.completion[r] as number) !== NOT_SET) this.release(replica, r);
      slot.running = [];
      slot.staticActive = false;
      return;
    }
    slot.running = slot.running.filter(
      (r) => (this.completion[r] as number) === NOT_SET && !this.isHandedOff(r, replica),
    );
  }

  /** Queues a prefilled request for a decode replica; its KV cache moves once that replica reserves blocks for it. */
  private handOff(slot: Slot, r: number): void {
    const decodePool = this.decodePool;
    if (!decodePool) throw new Error("hand-off without a decode pool");
    slot.replica.outstanding--;
    const target = this.route(decodePool);
    target.outstanding++;
    this.decodeReplicaOf[r] = target.index;
    target.incoming.pushBack(r);
    this.kick(target);
  }

  /**
   * Pull-based hand-off (DistServe): the decode replica reserves blocks for the next incoming KV
   * caches in FIFO order, and each then crosses its prefill replica's link (FIFO, bytes /
   * bandwidth + latency). Until it lands, the prefill replica keeps its blocks.
   */
  private startTransfers(target: Replica, now: number): void {
    const transfer = this.config.kvTransfer as KvTransferConfig;
    while (target.incoming.length > 0) {
      const r = target.incoming.front();
      // Static batching keeps KV for prompt + output from the start; the others grow block by block.
      const tokens =
        target.pool.config.scheduler.kind === "static"
          ? (this.prompt[r] as number) + (this.output[r] as number)
          : (this.computed[r] as number);
      const needed = ceilDiv(tokens, this.blockTokens);
      if (needed > target.freeBlocks) break;
      target.incoming.popFront();
      target.freeBlocks -= needed;
      this.reservedBlocks[r] = needed;
      const used = target.pool.blocksPerReplica - target.freeBlocks;
      if (used > target.peakBlocksUsed) target.peakBlocksUsed = used;
      const source = this.entryPool.replicas[this.replicaOf[r] as number] as Replica;
      const start = now > source.linkFreeSec ? now : source.linkFreeSec;
      const duration =
        ((this.computed[r] as number) * transfer.bytesPerToken) / transfer.bandwidthBytesPerSec +
        transfer.latencySec;
      source.linkFreeSec = start + duration;
      if (this.trace) {
        const linkTid = source.pool.config.stepTime.stages + 1;
        this.trace.slice(source.pid, linkTid, `KV of request ${r}`, start * 1e6, duration * 1e6, {
          tokens: this.computed[r] as number,
        });
        this.trace.flowStart(source.pid, linkTid, r, start * 1e6);
      }
      this.queue.push(start + duration, 1, KV_ARRIVAL, r);
    }
  }

  private onKvArrival(r: number, now: number): void {
    const source = this.entryPool.replicas[this.replicaOf[r] as number] as Replica;
    this.release(source, r);
    this.blocks[r] = this.reservedBlocks[r] as number;
    this.reservedBlocks[r] = 0;
    const target = (this.decodePool as Pool).replicas[this.decodeReplicaOf[r] as number] as Replica;
    this.trace?.flowEnd(target.pid, 1, r, now * 1e6);
    target.landed.pushBack(r);
    this.kick(source);
    this.kick(target);
  }
}
