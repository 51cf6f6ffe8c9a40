import type { CollectiveKind } from "../collectives/alpha-beta.ts";
import type { AllReduceImplementation } from "../collectives/custom-all-reduce.ts";
import type { Dtype } from "../dtype.ts";
import type { ParamCounts } from "../model/params.ts";
import type { AttentionShape, GemmShape, OpKind } from "../ops/types.ts";
import type { ResolvedPlan } from "../parallel/plan.ts";
import type { Bound } from "../predictor/types.ts";
import type { StepDtypes } from "./dtypes.ts";
import type { MemoryReport } from "./memory.ts";
import type { OverlapPolicy } from "./overlap.ts";
import type { StepWorkload } from "./workload.ts";

/** One op of a layer, flattened for output: its work and its predicted time on one GPU. */
export interface OpRecord {
  readonly name: string;
  readonly kind: OpKind;
  readonly computeDtype: Dtype;
  readonly flops: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly weightBytes: number;
  readonly kvCacheBytes: number;
  /** FLOPs per byte of HBM traffic (0 for collectives). */
  readonly arithmeticIntensity: number;
  readonly commBytes: number;
  readonly collective: CollectiveKind | null;
  readonly groupSize: number;
  /** Scale-up domains (NVLink machines or racks) the collective spans; 1 for ops without one. */
  readonly commDomains: number;
  readonly shape: GemmShape | null;
  /** Attention shape on this GPU (MLA's read as MQA over its latent, or as multi-head), else null. */
  readonly attention: AttentionShape | null;
  /**
   * What splits the op's measured-kernel families besides its name and tensor-core class
   * (docs/predictors.md): KV format, "mla/<kv>", "weights-<format>", "block-<rows>x<columns>",
   * "<collective>/<library>/<tier>";
   * "" for none.
   */
  readonly familyVariant: string;
  readonly computeMs: number;
  readonly memoryMs: number;
  readonly commMs: number;
  readonly ms: number;
  readonly bound: Bound;
  readonly source: string;
  /** Inside the measured data's envelope (null: no data for the kernel family). */
  readonly inEnvelope: boolean | null;
  readonly formula: string;
}

export type BlockKind = "embedding" | "dense" | "moe" | "head" | "pipeline";

/** LLMSimulator's LayerExecution: one layer (or the embedding, head, pipeline send) on one GPU. */
export interface LayerExecution {
  /** Decoder layer index; -1 for the embedding, numLayers for the head, -2 for pipeline sends. */
  readonly layer: number;
  readonly name: string;
  readonly kind: BlockKind;
  readonly stage: number;
  readonly flops: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly commBytes: number;
  readonly computeMs: number;
  readonly memoryMs: number;
  readonly commMs: number;
  /** Layer time after overlap. */
  readonly dominantMs: number;
  readonly exposedCommMs: number;
  readonly bound: Bound;
  readonly microBatches: number;
  readonly ops: readonly OpRecord[];
}

export interface StepTotals {
  /** Time of one step through every stage (for decode: the time per output token). */
  readonly latencyMs: number;
  readonly stageMs: readonly number[];
  /** FLOPs of the whole replica for the step. */
  readonly flops: number;
  /** FLOPs of one GPU of the busiest stage. */
  readonly flopsPerGpu: number;
  readonly achievedTflopsPerGpu: number;
  /** Tokens through the model per step, whole replica (prefill counts prompt tokens). */
  readonly tokensPerStep: number;
  readonly tokensPerSecPerReplica: number;
  readonly tokensPerSecPerGpu: number;
  readonly computeMs: number;
  readonly memoryMs: number;
  readonly commMs: number;
  readonly exposedCommMs: number;
  readonly bottleneckLayer: { readonly layer: number; readonly name: string; readonly dominantMs: number };
  readonly peakMemoryBytesPerGpu: number;
}

export interface StepResult {
  readonly schemaVersion: 1;
  /** "does-not-fit": the memory report says why; nothing was simulated (unless ignoreMemory). */
  readonly status: "ok" | "does-not-fit";
  readonly model: { readonly id: string } & ParamCounts;
  readonly hardware: { readonly name: string };
  readonly parallel: ResolvedPlan;
  readonly workload: StepWorkload;
  readonly dtypes: StepDtypes;
  readonly overlap: OverlapPolicy;
  /** MoE all-to-all kernels assumed (see AllToAllMode). */
  readonly moeAllToAll: "normal" | "low-latency";
  /** TP all-reduce kernels used: custom only when requested and the TP group is in one scale-up domain. */
  readonly allReduce: AllReduceImplementation;
  readonly predictor: string;
  readonly memory: MemoryReport;
  readonly layers: readonly LayerExecution[];
  readonly totals: StepTotals | null;
  readonly warnings: readonly string[];
}
