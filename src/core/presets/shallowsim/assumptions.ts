/**
 * ShallowSim's modelling assumptions (github.com/zartbot/shallowsim @0cec1f5, specified in
 * shared/reference/shallowsim/SPEC.md), each named so the preset states what it assumes. llmsim's
 * default physics replaces every one of them.
 */

/** Every peak FLOP/s and every bandwidth is multiplied by this (SPEC §1.3, §2). */
export const DISCOUNT_RATE = 0.85;

/** Efficiency of MLA GEMM and attention work, "from FlashMLA on H800" (SPEC §1.3, §4.2). */
export const MLA_DISCOUNT = 0.7;

/** Constant added to every tensor-parallel MLA (SPEC §4.2). */
export const MLA_KERNEL_STATIC_MS = 0.05;

/** Fixed latency of the attention all-reduce (SPEC §4.2). */
export const MIN_ALL_REDUCE_MS = 0.015;

/** Fixed latency of one decode all-to-all per micro-batch (SPEC §4.5). */
export const DECODE_ALL_TO_ALL_LATENCY_MS = 0.005;

/** Fixed latency of one prefill all-to-all (SPEC §5.4). */
export const PREFILL_ALL_TO_ALL_LATENCY_MS = 0.05;

/** Decode runs two micro-batches; experts and all-to-all latencies are paid per micro-batch (SPEC §4.4). */
export const DECODE_MICRO_BATCHES = 2;

/**
 * Memory filter constants (SPEC §4.1): usable fraction of `mem`, MLA parameters per layer (M),
 * parameters of one expert (M) and everything else (GB), all for DeepSeek-V3's shape.
 */
export const MEMORY_UTILIZATION = 0.9;
export const MLA_PARAMS_M = 187.17;
export const EXPERT_PARAMS_M = 44.05;
export const OTHER_PARAMS_GB = 2.91;

/**
 * Unit conventions (SPEC §3): weights and messages are element counts (1 byte each) divided by
 * 2^20 and then by GB/s, read as milliseconds (so 1 byte counts as 1e6/2^20 of a real byte);
 * the KV read divides bytes by 2^30 and GB/s and multiplies by 1000.
 */
export const MIB = 2 ** 20;
export const GIB = 2 ** 30;

/** Grouped-GEMM efficiency by key (a power of two), generic table (SPEC §4.4). */
const GENERIC_GROUPED_GEMM: readonly (readonly [number, number])[] = [
  [1, 0.05],
  [2, 0.05],
  [4, 0.05],
  [8, 0.05],
  [16, 0.08],
  [32, 0.1],
  [64, 0.2],
  [128, 0.35],
  [256, 0.4],
  [512, 0.6],
  [1024, 0.7],
];

/** Grouped-GEMM efficiency by key for any GPU whose name contains "H20" (SPEC §4.4). */
const H20_GROUPED_GEMM: readonly (readonly [number, number])[] = [
  [1, 0.06],
  [2, 0.06],
  [4, 0.06],
  [8, 0.12],
  [16, 0.25],
  [32, 0.45],
  [64, 0.8],
  [128, 0.9],
  [256, 1],
];

/**
 * The table key for m tokens per expert: the next power of two strictly above floor(m) (1 for
 * m < 1), so m = 256 reads the 512 entry (ShallowSim's bit-smearing helper).
 */
export function groupedGemmKey(tokensPerExpert: number): number {
  const m = Math.floor(tokensPerExpert);
  let key = 1;
  while (key <= m) key *= 2;
  return key;
}

/**
 * Grouped-GEMM efficiency for m tokens per expert. ShallowSim's tables end at key 65536 (and raise
 * beyond); keys above the last entry take the last value here.
 */
export function groupedGemmEfficiency(gpuName: string, tokensPerExpert: number): number {
  const table = gpuName.includes("H20") ? H20_GROUPED_GEMM : GENERIC_GROUPED_GEMM;
  const key = groupedGemmKey(tokensPerExpert);
  let efficiency = table[0]?.[1] ?? 1;
  for (const [entryKey, value] of table) if (entryKey <= key) efficiency = value;
  return efficiency;
}

/** One way ShallowSim's model differs from llmsim's default physics, and the columns it moves. */
export interface Assumption {
  readonly name: string;
  readonly shallowsim: string;
  readonly llmsim: string;
  readonly affects: readonly string[];
}

/** Every assumption the preset keeps (SPEC §7), for `--compare shallowsim`. */
export const SHALLOWSIM_ASSUMPTIONS: readonly Assumption[] = [
  {
    name: "GPU figures",
    shallowsim: "ShallowSim's gpu_info.csv (e.g. H800 HBM 4000 GB/s)",
    llmsim: "the sourced catalog (H800 HBM 3350 GB/s); with --gpu-file both use the file",
    affects: ["DenseMLA", "SparseMLA", "DenseMLP", "SharedExpert", "RoutedExpert"],
  },
  {
    name: "efficiency",
    shallowsim:
      "0.85 on every peak and bandwidth; 0.7 on MLA work; a grouped-GEMM table by tokens per expert",
    llmsim:
      "per-kernel factors from measured anchors (GEMM 0.721, HBM 0.796, attention 0.586/0.896, NVLink 0.765, NIC 0.789)",
    affects: ["DenseMLA", "SparseMLA", "DenseMLP", "SharedExpert", "RoutedExpert", "Dispatch", "Combine"],
  },
  {
    name: "time model",
    shallowsim: "compute + memory time added",
    llmsim: "roofline: max(compute, memory) per kernel",
    affects: ["DenseMLA", "SparseMLA", "DenseMLP", "SharedExpert", "RoutedExpert"],
  },
  {
    name: "units",
    shallowsim: "element counts / 2^20 over GB/s read as ms (1 byte counts as 0.954); KV bytes / 2^30",
    llmsim: "bytes / (bytes/s), SI throughout",
    affects: ["DenseMLA", "SparseMLA", "DenseMLP", "SharedExpert", "RoutedExpert", "Dispatch", "Combine"],
  },
  {
    name: "MLA accounting",
    shallowsim:
      "absorbed MLA without the KV down-projection; FP4 GPUs skip the weight load; constant 0.05 ms + 0.015 ms all-reduce",
    llmsim: "every projection, norms, weights in their checkpoint format, NCCL-model all-reduce",
    affects: ["DenseMLA", "SparseMLA"],
  },
  {
    name: "KV cache",
    shallowsim: "FP8 latent (1 byte per element); per-sequence KV memory multiplied by TP",
    llmsim: "latent in --kv-dtype (default bf16), replicated per TP rank but counted once per GPU",
    affects: ["DenseMLA", "SparseMLA", "rows kept"],
  },
  {
    name: "experts",
    shallowsim:
      "weights read for every local expert twice (two micro-batches); shared expert at the routed GEMM's efficiency",
    llmsim: "weights read for the experts expected to receive a token, per micro-batch",
    affects: ["SharedExpert", "RoutedExpert"],
  },
  {
    name: "all-to-all",
    shallowsim:
      "the whole message over one link per GPU plus 0.005 ms per micro-batch; FP16 combine unless fp8_combine on FP4 GPUs",
    llmsim:
      "only the bytes leaving the GPU, split between NVLink and NICs, NCCL latency constants; FP8 dispatch and BF16 combine",
    affects: ["Dispatch", "Combine"],
  },
  {
    name: "overlap",
    shallowsim: "communication hides behind attention and the shared expert only (Delta rule)",
    llmsim:
      "the chosen overlap policy (default two-micro-batch: each micro-batch's attention and experts beside the other's dispatch and combine, phase by phase)",
    affects: ["Delta", "TPOT", "Total"],
  },
  {
    name: "outside the layers",
    shallowsim: "embedding and LM head not modelled",
    llmsim: "embedding and LM head time added to TPOT",
    affects: ["TPOT", "TPOT_O", "Total"],
  },
  {
    name: "memory filter",
    shallowsim:
      "hard-coded parameter sizes (187.17 M MLA, 44.05 M per expert, 2.91 GB other), 0.9 of raw HBM",
    llmsim: "the engine's per-GPU weights, KV cache and activations against 0.9 of HBM",
    affects: ["rows kept"],
  },
];
