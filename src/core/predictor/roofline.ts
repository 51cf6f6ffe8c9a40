import {
  collectiveTimeSec,
  NCCL_PROTOCOLS,
  type NetworkTiers,
  type ProtocolCost,
} from "../collectives/alpha-beta.ts";
import { customAllReduceSec } from "../collectives/custom-all-reduce.ts";
import { normalAllToAllSec } from "../collectives/deepep.ts";
import { peakClassOf } from "../dtype.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import type { Op } from "../ops/types.ts";
import { secToMs } from "../units.ts";
import type { OpTiming, Predictor } from "./types.ts";

/**
 * Efficiency factors of the roofline predictor: the fraction of a datasheet peak a well-tuned kernel
 * reaches. Defaults are measured figures from `data/measured/anchors.csv` (see README, "Efficiency
 * defaults"); `test/efficiency-defaults.test.ts` recomputes each one from that file.
 */
export interface RooflineParams {
  /** GEMM FLOP/s over peak: DeepGEMM FP8 M=4096 N=7168 K=16384 on H800, 1426 of 1979 TFLOPS. */
  readonly gemmComputeEfficiency: number;
  /** Attention FLOP/s over peak: FlashMLA compute-bound decode on H800, 580 of 990 TFLOPS BF16. */
  readonly attentionComputeEfficiency: number;
  /** HBM bandwidth reached by weight-streaming GEMMs: DeepGEMM M=64 on H800, 2668 of 3350 GB/s. */
  readonly hbmEfficiency: number;
  /** HBM bandwidth reached by attention KV reads: FlashMLA memory-bound decode, 3000 of 3350 GB/s. */
  readonly attentionHbmEfficiency: number;
  /** Scale-up bandwidth reached by all-to-all: DeepEP EP8 NVLink dispatch on H800, 153 of 200 GB/s. */
  readonly scaleUpEfficiency: number;
  /** Scale-out bandwidth reached: DeepEP EP128 low-latency combine over 400 Gb/s CX7 (see README). */
  readonly scaleOutEfficiency: number;
  /** Collective protocols and their latency constants (default: NCCL's ring model). */
  readonly protocols: readonly ProtocolCost[];
  /** Fixed cost added to every compute op (kernel launch/tail), µs. 0 assumes CUDA graphs. */
  readonly opOverheadUs: number;
  /**
   * Fixed latency of a framework's custom all-reduce kernel, µs: TensorRT-LLM's on 8 H100s with a
   * 128-element BF16 message, 3.23 µs (AIConfigurator custom_allreduce_perf, data/measured).
   */
  readonly customAllReduceLatencyUs: number;
  /**
   * Fixed cost of a DeepEP normal-mode dispatch or combine, µs: the dispatch of one token per GPU
   * (DeepSeek-V3's shape, 8 H100s, DeepEP's default 20 SMs) under SGLang 0.5.12, 25.91 µs
   * (AIConfigurator wideep_deepep_normal_perf, data/measured); 24.5 to 26.2 µs over all its shapes.
   */
  readonly deepEpNormalLatencyUs: number;
}

export const DEFAULT_ROOFLINE_PARAMS: RooflineParams = {
  gemmComputeEfficiency: 0.721,
  attentionComputeEfficiency: 0.586,
  hbmEfficiency: 0.796,
  attentionHbmEfficiency: 0.896,
  scaleUpEfficiency: 0.765,
  scaleOutEfficiency: 0.789,
  protocols: NCCL_PROTOCOLS,
  opOverheadUs: 0,
  customAllReduceLatencyUs: 3.23,
  deepEpNormalLatencyUs: 25.91,
};

/** Network tiers of a hardware spec at achievable rates (NaN where the catalog has no figure). */
export function networkTiers(hardware: HardwareSpec, params: RooflineParams): NetworkTiers {
  return {
    scaleUpBytesPerSec: (hardware.scaleUp.bandwidthBytesPerSec ?? Number.NaN) * params.scaleUpEfficiency,
    scaleOutBytesPerSec: (hardware.scaleOut.bandwidthBytesPerSec ?? Number.NaN) * params.scaleOutEfficiency,
    protocols: params.protocols,
  };
}

/**
 * Roofline: a compute op takes max(FLOPs / achievable peak, bytes / achievable bandwidth) plus a
 * fixed overhead; a collective takes its alpha-beta time (a custom all-reduce, its one-shot time
 * where that is cheaper; DeepEP's normal all-to-all, its fixed cost plus its tiers' transfer).
 *
 * @example
 * const predictor = rooflinePredictor({ ...DEFAULT_ROOFLINE_PARAMS, opOverheadUs: 2 });
 */
export function rooflinePredictor(params: RooflineParams = DEFAULT_ROOFLINE_PARAMS): Predictor {
  const overheadMs = params.opOverheadUs / 1e3;
  const customAllReduceLatencySec = params.customAllReduceLatencyUs / 1e6;
  const deepEpNormalLatencySec = params.deepEpNormalLatencyUs / 1e6;
  return {
    name: "roofline",
    predict(op: Op, hardware: HardwareSpec): OpTiming {
      const comm = op.comm;
      if (comm !== null) {
        const net = networkTiers(hardware, params);
        const commMs = secToMs(
          comm.implementation === "custom" && comm.collective === "all-reduce"
            ? customAllReduceSec(comm.bytes, comm.span, net, customAllReduceLatencySec)
            : comm.implementation === "deepep-normal" && comm.split !== null
              ? normalAllToAllSec(comm.split, net, deepEpNormalLatencySec)
              : collectiveTimeSec(comm.collective, comm.bytes, comm.span, net, comm.split),
        );
        return {
          computeMs: 0,
          memoryMs: 0,
          commMs,
          ms: commMs,
          bound: "comm",
          source: "roofline",
          inEnvelope: null,
        };
      }
      const isAttention = op.kind === "attention";
      const peak =
        hardware.peakFlopsPerSec[peakClassOf(op.computeDtype)] ?? hardware.peakFlopsPerSec.bf16 ?? Number.NaN;
      const computeEfficiency = isAttention
        ? params.attentionComputeEfficiency
        : params.gemmComputeEfficiency;
      const memoryEfficiency = isAttention ? params.attentionHbmEfficiency : params.hbmEfficiency;
      const computeMs = op.flops > 0 ? (op.flops / (peak * computeEfficiency)) * 1e3 : 0;
      const bytes = op.bytesRead + op.bytesWritten;
      const memoryMs =
        bytes > 0 ? (bytes / ((hardware.hbmBandwidthBytesPerSec ?? Number.NaN) * memoryEfficiency)) * 1e3 : 0;
      const ms = Math.max(computeMs, memoryMs) + overheadMs;
      return {
        computeMs,
        memoryMs,
        commMs: 0,
        ms,
        bound: computeMs >= memoryMs ? "compute" : "memory",
        source: "roofline",
        inEnvelope: null,
      };
    },
  };
}
