import { peakClassOf } from "../../dtype.ts";
import type { HardwareSpec } from "../../hardware/types.ts";
import type { Op } from "../../ops/types.ts";
import type { OpTiming, Predictor } from "../../predictor/types.ts";
import {
  DECODE_ALL_TO_ALL_LATENCY_MS,
  DECODE_MICRO_BATCHES,
  DISCOUNT_RATE,
  GIB,
  groupedGemmEfficiency,
  MIB,
  MIN_ALL_REDUCE_MS,
  MLA_DISCOUNT,
  MLA_KERNEL_STATIC_MS,
  PREFILL_ALL_TO_ALL_LATENCY_MS,
} from "./assumptions.ts";
import type { GpuTableRow } from "./gpu-table.ts";

export type ShallowSimMode = "decode" | "prefill";

/** Op names the ShallowSim preset emits; the predictor keys its assumptions on them. */
export const SHALLOWSIM_OPS = {
  mlaGemm: "mla_gemm",
  mlaAttention: "mla_attention",
  mlaKernelStatic: "mla_kernel_static",
  kvRead: "kv_read",
  allReduce: "attn_all_reduce",
  denseMlp: "dense_mlp",
  sharedExpert: "shared_expert",
  routedExperts: "routed_experts",
  dispatch: "moe_dispatch",
  combine: "moe_combine",
} as const;

function fixedLatencyMs(name: string, mode: ShallowSimMode): number {
  switch (name) {
    case SHALLOWSIM_OPS.mlaKernelStatic:
      return MLA_KERNEL_STATIC_MS;
    case SHALLOWSIM_OPS.allReduce:
      return MIN_ALL_REDUCE_MS;
    case SHALLOWSIM_OPS.dispatch:
    case SHALLOWSIM_OPS.combine:
      // The decode message is not split across micro-batches; only the latency is paid per micro-batch.
      return mode === "decode"
        ? DECODE_ALL_TO_ALL_LATENCY_MS * DECODE_MICRO_BATCHES
        : PREFILL_ALL_TO_ALL_LATENCY_MS;
    default:
      return 0;
  }
}

/**
 * ShallowSim's time model as a Predictor (SPEC §2-§5): compute and memory times ADD (no
 * roofline max); peaks and bandwidths are discounted by 0.85, compute also by the SMs left after
 * communication SMs in prefill mode; MLA work runs at 0.7 efficiency (except its GEMM part on
 * FP4 GPUs); decode expert GEMMs follow the grouped-GEMM table; weights and messages use the
 * 2^20-element/GB-s unit mix and the KV read 2^30; all-to-all moves the whole message over one
 * link (NVLink inside the domain, the NIC across it); named ops carry fixed latencies.
 */
export function shallowsimPredictor(row: GpuTableRow, mode: ShallowSimMode): Predictor {
  const smFraction = mode === "decode" ? 1 : (row.sm - row.commSm) / row.sm;
  const hasFp4 = row.fp4Tflops > 0;
  return {
    name: "shallowsim",
    predict(op: Op, hardware: HardwareSpec): OpTiming {
      const latencyMs = fixedLatencyMs(op.name, mode);
      if (op.comm !== null) {
        const linkGBps =
          ((op.comm.span.domains > 1
            ? hardware.scaleOut.bandwidthBytesPerSec
            : hardware.scaleUp.bandwidthBytesPerSec) ?? Number.NaN) / 1e9;
        const commMs = op.comm.bytes / MIB / (linkGBps * DISCOUNT_RATE) + latencyMs;
        return {
          computeMs: 0,
          memoryMs: 0,
          commMs,
          ms: commMs,
          bound: "comm",
          source: "shallowsim",
          inEnvelope: null,
        };
      }
      let efficiency = 1;
      if (op.name === SHALLOWSIM_OPS.mlaAttention || (op.name === SHALLOWSIM_OPS.mlaGemm && !hasFp4))
        efficiency = MLA_DISCOUNT;
      if (mode === "decode" && op.rowsPerExpert !== undefined)
        efficiency = groupedGemmEfficiency(row.name, op.rowsPerExpert);
      const tflops = (hardware.peakFlopsPerSec[peakClassOf(op.computeDtype)] ?? Number.NaN) / 1e12;
      const computeMs =
        op.flops > 0 ? op.flops / 1e9 / (tflops * DISCOUNT_RATE * smFraction * efficiency) : 0;
      const memGBps = ((hardware.hbmBandwidthBytesPerSec ?? Number.NaN) / 1e9) * DISCOUNT_RATE;
      const plainBytes = op.bytesRead + op.bytesWritten - op.kvCacheBytes;
      const memoryMs =
        (plainBytes > 0 ? plainBytes / MIB / memGBps : 0) +
        (op.kvCacheBytes > 0 ? (op.kvCacheBytes / GIB / memGBps) * 1000 : 0);
      const ms = computeMs + memoryMs + latencyMs;
      return {
        computeMs,
        memoryMs,
        commMs: 0,
        ms,
        bound: computeMs >= memoryMs ? "compute" : "memory",
        source: "shallowsim",
        inEnvelope: null,
      };
    },
  };
}
