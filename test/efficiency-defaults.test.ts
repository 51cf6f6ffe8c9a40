import { readFileSync } from "node:fs";
import { csvParse } from "d3-dsv";
import { describe, expect, it } from "vitest";
import { DEFAULT_ROOFLINE_PARAMS } from "../src/core/predictor/roofline.ts";
import { loadHardwareRegistry } from "../src/io/hardware.ts";
import { loadMeasurements } from "../src/io/measurements/load.ts";
import { acceleratorRecord } from "./helpers/fixtures.ts";

const anchors = new Map(
  csvParse(readFileSync(new URL("../data/reference/anchors.csv", import.meta.url), "utf8")).map((row) => [
    row.id,
    Number(row.value),
  ]),
);
const anchor = (id: string): number => {
  const value = anchors.get(id);
  if (value === undefined || !Number.isFinite(value)) throw new Error(`anchor ${id} missing`);
  return value;
};
const h800 = acceleratorRecord("H800");

/** Each default efficiency is a measured figure over the H800 datasheet peak it was measured against. */
describe("roofline efficiency defaults are derived from data/reference/anchors.csv", () => {
  it("gemmComputeEfficiency = DeepGEMM FP8 M=4096 TFLOPS / H800 FP8 peak", () => {
    expect(DEFAULT_ROOFLINE_PARAMS.gemmComputeEfficiency).toBeCloseTo(
      anchor("K-DGEMM-M4096N7168K16384") / (h800.denseTflops?.fp8 ?? 0),
      3,
    );
  });
  it("attentionComputeEfficiency = FlashMLA compute-bound TFLOPS / H800 BF16 peak", () => {
    expect(DEFAULT_ROOFLINE_PARAMS.attentionComputeEfficiency).toBeCloseTo(
      anchor("K-FMLA-02") / (h800.denseTflops?.bf16 ?? 0),
      3,
    );
  });
  it("attentionHbmEfficiency = FlashMLA memory-bound GB/s / H800 HBM bandwidth", () => {
    expect(DEFAULT_ROOFLINE_PARAMS.attentionHbmEfficiency).toBeCloseTo(
      anchor("K-FMLA-01") / (h800.hbmBandwidthGBps ?? 0),
      3,
    );
  });
  it("hbmEfficiency = DeepGEMM M=64 achieved bandwidth (2668 GB/s, README) / H800 HBM; the row's 336 TFLOPS agrees", () => {
    // The anchor row records 336 TFLOPS and notes "2668 GB/s achieved". Bytes of that GEMM in FP8:
    // weights 7168·16384 + inputs 64·16384 + BF16 outputs 64·7168·2; FLOPs 2·64·7168·16384.
    const bytes = 7168 * 16384 + 64 * 16384 + 64 * 7168 * 2;
    const seconds = (2 * 64 * 7168 * 16384) / (anchor("K-DGEMM-M64N7168K16384") * 1e12);
    expect(bytes / seconds / 1e9).toBeCloseTo(2668, -2);
    expect(DEFAULT_ROOFLINE_PARAMS.hbmEfficiency).toBeCloseTo(2668 / (h800.hbmBandwidthGBps ?? 0), 3);
  });
  it("scaleUpEfficiency = DeepEP EP8 NVLink dispatch GB/s / H800 NVLink per direction", () => {
    expect(DEFAULT_ROOFLINE_PARAMS.scaleUpEfficiency).toBeCloseTo(
      anchor("K-DEEPEP-N8D") / (h800.scaleUp?.bandwidthGBps ?? 0),
      3,
    );
  });
  it("scaleOutEfficiency = DeepEP EP128 low-latency combine: BF16 payload over 369 us, / 50 GB/s NIC", () => {
    // 128 tokens x top-8 x 7168 x 2 bytes, 127/128 of it leaving the GPU.
    const bytes = (128 * 8 * 7168 * 2 * 127) / 128;
    const achievedGBps = bytes / (anchor("K-DEEPEP-LL128C") * 1e-6) / 1e9;
    expect(DEFAULT_ROOFLINE_PARAMS.scaleOutEfficiency).toBeCloseTo(
      achievedGBps / (h800.scaleOut?.bandwidthGBps ?? 0),
      3,
    );
  });
  it("customAllReduceLatencyUs = TensorRT-LLM's custom all-reduce of 128 BF16 elements on 8 H100s (AIConfigurator table)", async () => {
    const table = new URL(
      "../data/measured/aiconfigurator/h100_sxm/comm/trtllm/1.3.0rc20/custom_allreduce_perf.parquet",
      import.meta.url,
    ).pathname;
    const rows = await loadMeasurements([table], loadHardwareRegistry());
    const smallest = rows.find((m) => m.op.comm?.span.size === 8 && m.op.comm.bytes === 256);
    expect(DEFAULT_ROOFLINE_PARAMS.customAllReduceLatencyUs).toBeCloseTo((smallest?.latencyMs ?? 0) * 1e3, 2);
  });
  it("deepEpNormalLatencyUs = DeepEP's normal dispatch of one token per GPU, DeepSeek-V3's shape, on 8 H100s (AIConfigurator table)", async () => {
    const table = new URL(
      "../data/measured/aiconfigurator/h100_sxm/comm/sglang/0.5.12/wideep_deepep_normal_perf.parquet",
      import.meta.url,
    ).pathname;
    const rows = await loadMeasurements([table], loadHardwareRegistry(), { warn: () => {} });
    const dispatches = rows.filter((m) => m.op.name === "moe_dispatch" && m.op.comm?.bytes === 8 * 7168);
    const deepSeek = dispatches.find((m) => m.op.formula.includes("top-8 of 256 experts x 7168"));
    expect(DEFAULT_ROOFLINE_PARAMS.deepEpNormalLatencyUs).toBeCloseTo((deepSeek?.latencyMs ?? 0) * 1e3, 2);
  });
});
