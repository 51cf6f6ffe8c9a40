import type { TraceSink } from "../../trace/sink.ts";
import type { HostOverheadCurve } from "../host-overhead.ts";
import type { RequestSet } from "../requests.ts";
import type { StepTimeModel } from "../step-time.ts";
import type { LogHistogram } from "./histogram.ts";

/**
 * How a replica forms each iteration's batch.
 * - "continuous": vLLM-style iteration-level scheduling without chunking: an iteration either
 *   prefills newly admitted requests (whole prompts, up to the token budget) or decodes every
 *   running request; new prompts go first.
 * - "chunked": Sarathi-style chunked prefill (vLLM v1's default): every iteration decodes all
 *   running requests and fills the rest of the token budget with prompt chunks.
 * - "static": FasterTransformer-style static batching: a batch of up to maxSeqs requests is
 *   admitted together with KV reserved for prompt + output, prefilled, and decoded until its
 *   longest request finishes; finished requests stay in the batch as padding.
 */
export type SchedulerKind = "continuous" | "chunked" | "static";
export const SCHEDULER_KINDS: readonly SchedulerKind[] = ["continuous", "chunked", "static"];

export type RouterKind = "round-robin" | "least-outstanding";
export const ROUTER_KINDS: readonly RouterKind[] = ["round-robin", "least-outstanding"];

export interface SchedulerConfig {
  readonly kind: SchedulerKind;
  /** Token budget of one iteration (prefill tokens plus one per decoding sequence). */
  readonly maxBatchedTokens: number;
  /** Sequences one batch (one pipeline micro-batch slot) may hold. */
  readonly maxSeqs: number;
}

/** "both": prefill and decode on the same replicas; "prefill"/"decode": one side of a disaggregated deployment. */
export type PoolRole = "both" | "prefill" | "decode";

export interface PoolConfig {
  readonly name: string;
  readonly role: PoolRole;
  readonly replicas: number;
  readonly gpusPerReplica: number;
  /** Iteration times; its `stages` is the replica's pipeline depth (one micro-batch slot per stage). */
  readonly stepTime: StepTimeModel;
  /** KV-cache capacity of one replica, tokens (rounded down to whole blocks). */
  readonly kvCapacityTokens: number;
  readonly scheduler: SchedulerConfig;
  /** The host overhead `stepTime` includes, for reports. */
  readonly hostOverhead?: HostOverheadCurve;
}

/** Prefill-to-decode KV-cache hand-off (DistServe / DéjàVu): serialised per prefill replica's link. */
export interface KvTransferConfig {
  readonly bytesPerToken: number;
  readonly bandwidthBytesPerSec: number;
  readonly latencySec: number;
}

export interface ServeConfig {
  readonly requests: RequestSet;
  /** One pool with role "both", or a "prefill" and a "decode" pool. */
  readonly pools: readonly PoolConfig[];
  readonly router: RouterKind;
  readonly kvTransfer?: KvTransferConfig;
  /** KV-cache block size, tokens (vLLM's default 16). */
  readonly blockTokens?: number;
  readonly trace?: TraceSink;
}

export interface PoolResult {
  readonly name: string;
  readonly role: PoolRole;
  readonly replicas: number;
  readonly gpusPerReplica: number;
  readonly blocksPerReplica: number;
  /** Most KV blocks ever held at once on any replica of the pool. */
  readonly peakBlocksUsed: number;
  /** Per replica: seconds its first pipeline stage was busy. */
  readonly busySec: Float64Array;
  readonly iterations: number;
  readonly preemptions: number;
}

/** Per-request outcomes (index = request, in arrival order) and per-pool counters. Seconds. */
export interface ServeResult {
  readonly arrivalSec: Float64Array;
  readonly promptTokens: Int32Array;
  readonly outputTokens: Int32Array;
  /** First time the request entered a batch. */
  readonly firstScheduledSec: Float64Array;
  readonly firstTokenSec: Float64Array;
  readonly completionSec: Float64Array;
  /** Replica (index within the first pool) that prefilled the request, and the decode pool's replica or -1. */
  readonly replica: Int32Array;
  readonly decodeReplica: Int32Array;
  readonly preemptions: Int32Array;
  /** Inter-token latencies (seconds) of every request's tokens after its first. */
  readonly interTokenSec: LogHistogram;
  readonly pools: readonly PoolResult[];
  readonly events: number;
}
