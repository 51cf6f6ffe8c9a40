import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hardwareSpecOf } from "../../src/core/hardware/resolve.ts";
import type { AcceleratorRecord } from "../../src/core/hardware/types.ts";
import { InputError } from "../../src/core/issues.ts";
import { builtinModel } from "../../src/core/model/catalog.ts";
import { MLA_BMM_OP_NAMES } from "../../src/core/ops/mla.ts";
import type { Op } from "../../src/core/ops/types.ts";
import { familyVariant } from "../../src/core/predictor/features.ts";
import { rooflinePredictor } from "../../src/core/predictor/roofline.ts";
import { simulateStep } from "../../src/core/step/simulate.ts";
import { loadHardwareRegistry } from "../../src/io/hardware.ts";
import { balancedRankLoad } from "../../src/io/measurements/aiconfigurator.ts";
import { loadMeasurements } from "../../src/io/measurements/load.ts";
import { collectiveShapeOf, heldOutShapes, loadSuites, opShapeKey } from "../../src/io/validation.ts";

const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;
const data = new URL("../../data/measured/", import.meta.url).pathname;
const llmsim = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), "llmsim-calibrate-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
};
const vidur = (gpu: string) => {
  const root = join(data, "vidur/compute", gpu);
  return spawnSync("find", [root, "-name", "mlp.csv.gz"], { encoding: "utf8" })
    .stdout.trim()
    .split("\n")
    .sort();
};
const AIC_H100_GEMM = join(data, "aiconfigurator/h100_sxm/gemm/trtllm/1.3.0rc20/gemm_perf.parquet");
const AIC_H100_MOE = join(data, "aiconfigurator/h100_sxm/moe/trtllm/1.3.0rc20/moe_perf.parquet");
const AIC_H100_NCCL = join(data, "aiconfigurator/h100_sxm/comm/nccl/2.29.2/nccl_perf.parquet");
const AIC_H100_DEEPEP_LL = join(
  data,
  "aiconfigurator/h100_sxm/comm/sglang/0.5.12/wideep_deepep_ll_perf.parquet",
);
const AIC_H100_DEEPEP_NORMAL = join(
  data,
  "aiconfigurator/h100_sxm/comm/sglang/0.5.12/wideep_deepep_normal_perf.parquet",
);
const AIC_H100_CUSTOM_ALL_REDUCE = ["trtllm/1.3.0rc20", "vllm/0.24.0"].map((dir) =>
  join(data, `aiconfigurator/h100_sxm/comm/${dir}/custom_allreduce_perf.parquet`),
);
const AIC_H100_MLA = ["context", "generation"].map((phase) =>
  join(data, `aiconfigurator/h100_sxm/mla/trtllm/1.3.0rc20/${phase}_mla_perf.parquet`),
);
const AIC_H100_MLA_BMM = join(data, "aiconfigurator/h100_sxm/mla_bmm/trtllm/1.3.0rc20/mla_bmm_perf.parquet");
const vidurNetwork = ["h100_dgx", "a100_dgx"].flatMap((t) =>
  ["all_reduce", "send_recv"].map((c) => join(data, "vidur/network", t, `${c}.csv.gz`)),
);

interface Row {
  hardware: string;
  op: string;
  heldOut: { n: number; medianAbsPct: number } | null;
  roofline: { medianAbsPct: number } | null;
}

describe("importers", () => {
  const registry = loadHardwareRegistry();
  it("turns a Vidur row into the engine ops of its shapes", async () => {
    // Llama-2-7B (H 4096, 32 heads, I 11008, gated), TP 2, 8 tokens:
    // qkv N = (32+2·32)·128/2 = 6144, K = 4096; up N = 2·11008/2 = 11008; down K = 11008/2 = 5504.
    const path = file(
      "7b/x/Llama-2-7b-hf/mlp.csv",
      "n_head,n_kv_head,n_embd,n_expanded_embd,vocab_size,use_gated_mlp,num_tokens,num_tensor_parallel_workers,time_stats.mlp_up_proj.median,time_stats.mlp_down_proj.median,time_stats.attn_pre_proj.median\n32,32,4096,11008,32000,True,8,2,0.05,0.03,0.04\n",
    );
    const rows = await loadMeasurements([path], registry, { hardware: "H100" });
    const shapes = Object.fromEntries(rows.map((r) => [r.op.name, r.op.shape]));
    expect(shapes).toEqual({
      qkv_proj: { m: 8, n: 6144, k: 4096 },
      mlp_up: { m: 8, n: 11008, k: 4096 },
      mlp_down: { m: 8, n: 4096, k: 5504 },
    });
    expect(rows.map((r) => [r.hardware, r.group, r.latencyMs])).toContainEqual([
      "H100-SXM",
      "x/Llama-2-7b-hf",
      0.05,
    ]);
  });
  it("converts latency units named in the column and names bad cells by file:line:column", async () => {
    const good = file(
      "native.csv",
      "hardware,op,kind,dtype,m,n,k,latency_us\nH100,gemm,gemm,bf16,16,4096,4096,25\n",
    );
    const [row] = await loadMeasurements([good], registry);
    expect(row?.latencyMs).toBeCloseTo(0.025, 12);
    expect(row?.hardware).toBe("H100-SXM");
    // Shapeless attention rows are MLA's, in the engine's MLA family variant of their cache format.
    const mla = file(
      "native-mla.csv",
      "hardware,op,kind,dtype,flops,bytes,kv_dtype,latency_us\nH100,attention_decode,attention,bf16,1e9,3e8,fp8,90\nH100,attention_decode,attention,bf16,1e9,3e8,,120\n",
    );
    expect((await loadMeasurements([mla], registry)).map((m) => familyVariant(m.op))).toEqual([
      "mla/fp8",
      "mla/bf16",
    ]);
    // A GEMM's weight-scale block: RxC (block-scaled FP8), none or empty (per-tensor).
    const blocks = file(
      "native-blocks.csv",
      "hardware,op,kind,dtype,weight_dtype,weight_block_size,m,n,k,latency_us\nH100,gemm,gemm,fp8,fp8,128x128,16,4096,4096,20\nH100,gemm,gemm,fp8,fp8,none,16,4096,4096,25\nH100,gemm,gemm,fp8,fp8,,16,4096,4096,25\n",
    );
    expect((await loadMeasurements([blocks], registry)).map((m) => familyVariant(m.op))).toEqual([
      "block-128x128",
      "",
      "",
    ]);
    // A batched GEMM (per-head BMM) by its batch column; an empty cell is a plain GEMM.
    const batched = file(
      "native-batched.csv",
      "hardware,op,kind,dtype,m,n,k,batch,latency_us\nH100,q_absorb_decode,gemm,bf16,32,512,128,16,5\nH100,gemm,gemm,bf16,32,512,128,,3\n",
    );
    const [bmm, plain] = await loadMeasurements([batched], registry);
    expect(bmm?.op.shape).toEqual({ m: 32, n: 512, k: 128, batch: 16 });
    expect(bmm?.op.flops).toBe(2 * 16 * 32 * 512 * 128);
    expect(plain?.op.shape).toEqual({ m: 32, n: 512, k: 128 });
    // Rows of the engine's batched GEMM names without a batch price none of its ops: said so.
    const unbatched = file(
      "native-unbatched.csv",
      "hardware,op,kind,dtype,m,n,k,latency_us\nH100,v_up_decode,gemm,bf16,32,128,512,5\n",
    );
    const warnings: string[] = [];
    await loadMeasurements([unbatched], registry, { warn: (w) => warnings.push(w) });
    expect(warnings).toEqual([
      expect.stringMatching(/v_up_decode rows have no batch: the engine runs these as batched GEMMs/),
    ]);
    const badBatch = file(
      "bad-batch.csv",
      "hardware,op,kind,dtype,m,n,k,batch,latency_us\nH100,q_absorb_decode,gemm,bf16,32,512,128,1.5,5\n",
    );
    await expect(loadMeasurements([badBatch], registry)).rejects.toThrow(
      /bad-batch\.csv:2:8: batch: expected a whole number of GEMMs >= 1, got "1\.5"/,
    );
    const badBlock = file(
      "bad-block.csv",
      "hardware,op,kind,dtype,weight_block_size,m,n,k,latency_us\nH100,gemm,gemm,fp8,128,16,4096,4096,20\n",
    );
    await expect(loadMeasurements([badBlock], registry)).rejects.toThrow(
      /bad-block\.csv:2:5: weight_block_size: expected ROWSxCOLUMNS \(e\.g\. 128x128\) or none, got "128"/,
    );
    const bad = file(
      "bad.csv",
      "hardware,op,kind,dtype,m,n,k,latency_ms,speed\nH100,gemm,gemm,bf16,16,4096,4096,-1,3\n",
    );
    await expect(loadMeasurements([bad], registry)).rejects.toThrow(/bad\.csv:1:9: speed: unknown column/);
    const grouped = file(
      "grouped.csv",
      "hardware,op,kind,dtype,m,n,k,latency_ms\nH100,experts_up,grouped-gemm,bf16,32,4096,7168,0.1\n",
    );
    await expect(loadMeasurements([grouped], registry)).rejects.toThrow(
      /matrices: expected the number of expert weight matrices read/,
    );
    const badValue = file(
      "bad-value.csv",
      "hardware,op,kind,dtype,m,n,k,latency_ms\nH100,gemm,gemm,bf17,16,4096,4096,-1\n",
    );
    await expect(loadMeasurements([badValue], registry)).rejects.toThrow(
      /bad-value\.csv:2:4: dtype: unknown value "bf17"/,
    );
  });
  it("reads cells and columns named after Object.prototype members as unknown, never as a table entry", async () => {
    const native = file(
      "proto-dtype.csv",
      "hardware,op,kind,dtype,m,n,k,latency_us\nH100,gemm,gemm,constructor,16,4096,4096,25\n",
    );
    await expect(loadMeasurements([native], registry)).rejects.toThrow(
      /proto-dtype\.csv:2:4: dtype: unknown value "constructor"/,
    );
    const header = file(
      "proto-header.csv",
      "hardware,op,kind,dtype,m,n,k,constructor\nH100,gemm,gemm,bf16,16,4096,4096,25\n",
    );
    await expect(loadMeasurements([header], registry)).rejects.toThrow(
      /constructor: unknown column "constructor"/,
    );
    const attention = file(
      "proto-attention.csv",
      "framework,version,device,op_name,kernel_source,batch_size,isl,num_heads,num_key_value_heads,head_dim,window_size,beam_width,attn_dtype,kv_cache_dtype,step,latency\nTRTLLM,1,NVIDIA H100 80GB HBM3,generation_attention,x,8,1,32,8,128,0,1,bfloat16,toString,1023,0.05\n",
    );
    const nccl = file(
      "proto-nccl.csv",
      "framework,version,device,op_name,kernel_source,nccl_dtype,num_gpus,message_size,latency\nTRTLLM,2.29.2,NVIDIA H100 80GB HBM3,all_reduce,NCCL,constructor,8,524288,0.0254\n",
    );
    const warnings: string[] = [];
    expect(await loadMeasurements([attention, nccl], registry, { warn: (w) => warnings.push(w) })).toEqual(
      [],
    );
    expect(warnings).toEqual([
      expect.stringMatching(/skipped 1 rows of attn_dtype "bfloat16", kv_cache_dtype "toString"/),
      expect.stringMatching(/skipped 1 rows of nccl_dtype "constructor"/),
    ]);
  });
  it("says once per device when a device string falls back to a catalog sibling", async () => {
    const nvl = file(
      "h200-nvl.csv",
      "hardware,op,kind,dtype,m,n,k,latency_us\nNVIDIA H200 NVL,gemm,gemm,bf16,16,4096,4096,25\nNVIDIA H200 NVL,gemm,gemm,bf16,32,4096,4096,26\nNVIDIA H100 80GB HBM3,gemm,gemm,bf16,16,4096,4096,25\n",
    );
    const warnings: string[] = [];
    const rows = await loadMeasurements([nvl], registry, { warn: (w) => warnings.push(w) });
    expect(rows.map((r) => r.hardware)).toEqual(["H200-SXM", "H200-SXM", "H100-SXM"]);
    expect(warnings).toEqual([
      expect.stringMatching(
        /h200-nvl\.csv: device "NVIDIA H200 NVL" says "nvl", but the closest catalog entry, H200-SXM, is "sxm"\/"sxm5": its figures are used/,
      ),
    ]);
    // --hardware names the part outright: nothing to warn about.
    warnings.length = 0;
    await loadMeasurements([nvl], registry, { hardware: "H200-SXM", warn: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
  });
  it("reads AIConfigurator attention rows as the engine's attention ops, and skips unknown GEMM formats aloud", async () => {
    const head =
      '"framework","version","device","op_name","kernel_source","batch_size","isl","num_heads","num_key_value_heads","head_dim","window_size","beam_width","attn_dtype","kv_cache_dtype","step","latency"';
    const attention = file(
      "attn.csv",
      `${head}\n"TRTLLM","1","NVIDIA H100 80GB HBM3","generation_attention","x",8,1,32,8,128,0,1,"bfloat16","fp8",1023,0.05\n"TRTLLM","1","NVIDIA H100 80GB HBM3","context_attention","x",2,512,32,8,128,0,1,"bfloat16","bfloat16",0,0.2\n"TRTLLM","1","NVIDIA B200","generation_attention","x",8,1,32,8,128,0,1,"fp8","nvfp4",1023,0.05\n`,
    );
    const attentionWarnings: string[] = [];
    const [decode, prefill, ...others] = await loadMeasurements([attention], registry, {
      warn: (w) => attentionWarnings.push(w),
    });
    // A KV format the engine has no dtype for leaves its rows out, and says so.
    expect(others).toHaveLength(0);
    expect(attentionWarnings).toEqual([
      expect.stringMatching(/skipped 1 rows of attn_dtype "fp8", kv_cache_dtype "nvfp4" \(no engine dtype/),
    ]);
    // decode: 8 sequences attend 1 + 1023 = 1024 keys: 4·32·128·8·1024 FLOPs
    expect(decode?.op).toMatchObject({
      name: "attention_decode",
      flops: 4 * 32 * 128 * 8 * 1024,
      attention: { contextTokens: 1024, kvHeads: 8, kvDtype: "fp8" },
    });
    expect(prefill?.op).toMatchObject({
      name: "attention_prefill",
      attention: { sequences: 2, queryTokens: 512, contextTokens: 512 },
    });
    const gemmHead =
      '"framework","version","device","op_name","kernel_source","gemm_dtype","m","n","k","latency"';
    const gemms = file(
      "gemm.csv",
      `${gemmHead}\n"T","1","NVIDIA B200","gemm","x","bfloat16",1,128,128,0.01\n"T","1","NVIDIA B200","gemm","x","mxfp9",1,128,128,0.01\n"T","1","NVIDIA B200","gemm","x","constructor",1,128,128,0.01\n`,
    );
    const warnings: string[] = [];
    const rows = await loadMeasurements([gemms], registry, { warn: (w) => warnings.push(w) });
    expect(rows.map((r) => r.hardware)).toEqual(["B200-HGX"]);
    expect(warnings).toEqual([
      expect.stringMatching(/skipped 1 rows of gemm_dtype "mxfp9"/),
      expect.stringMatching(/skipped 1 rows of gemm_dtype "constructor"/),
    ]);
  });
  it("counts the rows AIConfigurator's balanced routing sends to EP rank 0 (hand-derived)", () => {
    // 256 experts top-8: stride 32. 64 tokens (>= stride): token i takes (i + 32j) mod 256, so
    // local expert p < 8 (EP 32) is hit by i = p (j = 0) and by i = p + 32 (j = 7: p + 32 + 224
    // wraps to p): 2 hits each, 16 rows on 8 experts.
    expect(balancedRankLoad(64, 256, 8, 8)).toEqual({ rows: 16, touchedExperts: 8 });
    // 1 token (< stride): experts 0, 32, ..., 224; only expert 0 is local.
    expect(balancedRankLoad(1, 256, 8, 8)).toEqual({ rows: 1, touchedExperts: 1 });
    // EP 1 receives every selection: tokens x top-k.
    expect(balancedRankLoad(3000, 128, 8, 128).rows).toBe(24_000);
    // Mixtral (8 experts top-2, stride 4), 2 tokens: token 0 -> 0, 4; token 1 -> trunc(2) = 2, 6.
    expect(balancedRankLoad(2, 8, 2, 4)).toEqual({ rows: 2, touchedExperts: 2 });
  });

  it("reads AIConfigurator fused-MoE rows as experts_up + experts_down, splitting the time by their roofline", async () => {
    const head =
      '"framework","version","device","op_name","kernel_source","moe_dtype","num_tokens","hidden_size","inter_size","topk","num_experts","moe_tp_size","moe_ep_size","distribution","latency"';
    const moe = file(
      "moe.csv",
      [
        head,
        '"TRTLLM","1","NVIDIA H100 80GB HBM3","moe","moe_torch_flow_cutlass","fp8",4096,7168,2048,8,256,1,32,"balanced",2.0',
        '"TRTLLM","1","NVIDIA H100 80GB HBM3","moe","moe_torch_flow_cutlass","fp8",4096,7168,2048,8,256,1,32,"power_law_1.2",2.5',
        '"TRTLLM","1","NVIDIA H100 80GB HBM3","moe","moe_torch_flow_cutlass","fp8_block",4096,7168,2048,8,256,1,32,"balanced",2.0',
        '"TRTLLM","1","NVIDIA H100 80GB HBM3","moe","moe_torch_flow_cutlass","fp8",4096,7168,2048,8,256,1,3,"balanced",2.0',
        '"VLLM","1","NVIDIA H100 80GB HBM3","moe","marlin","int4_wo",4096,7168,2048,8,256,1,32,"balanced",3.0',
        "",
      ].join("\n"),
    );
    const warnings: string[] = [];
    const [up, down, blockUp, blockDown, w4Up, w4Down, ...rest] = await loadMeasurements([moe], registry, {
      warn: (w) => warnings.push(w),
    });
    expect(rest).toHaveLength(0);
    // Block-scaled FP8 experts: the same work as per-tensor FP8, a family of their own.
    expect(familyVariant(up?.op as Op)).toBe("");
    expect(blockUp?.op).toMatchObject({
      name: "experts_up",
      computeDtype: "fp8",
      weightBlockSize: [128, 128],
    });
    expect(blockUp?.op.flops).toBe(up?.op.flops);
    expect(familyVariant(blockDown?.op as Op)).toBe("block-128x128");
    // W4A16 experts: BF16 GEMMs over half-byte weights, their own family variant.
    expect(w4Up?.op).toMatchObject({
      name: "experts_up",
      computeDtype: "bf16",
      weightBytes: (8 * 7168 * 4096) / 2,
    });
    expect(familyVariant(w4Up?.op as Op)).toBe("weights-int4");
    expect((w4Up?.latencyMs ?? 0) + (w4Down?.latencyMs ?? 0)).toBeCloseTo(3.0, 12);
    // Rank 0 of EP 32 holds 8 experts and receives 4096 x 8 / 32 = 1024 rows over all 8.
    expect(up?.op).toMatchObject({
      name: "experts_up",
      kind: "grouped-gemm",
      computeDtype: "fp8",
      shape: { m: 1024, n: 4096, k: 7168 },
      rowsPerExpert: 128,
      weightBytes: 8 * 7168 * 4096,
    });
    expect(down?.op).toMatchObject({ name: "experts_down", shape: { m: 1024, n: 7168, k: 2048 } });
    // Both memory-bound on H100 (up: 60 GFLOP = 30 µs at 1979 TFLOPS vs 258 MB = 77 µs at 3.35 TB/s),
    // so the split follows bytes: up 8·7168·4096 + 1024·7168·2 + 1024·4096·2 = 257,949,696,
    // down 8·2048·7168 + 1024·2048·2 + 1024·7168·2 = 136,314,880.
    expect(up?.latencyMs).toBeCloseTo((2.0 * 257_949_696) / (257_949_696 + 136_314_880), 12);
    expect((up?.latencyMs ?? 0) + (down?.latencyMs ?? 0)).toBeCloseTo(2.0, 12);
    expect(warnings).toEqual([
      expect.stringMatching(/skipped 1 rows whose moe_ep_size does not divide num_experts/),
      expect.stringMatching(/skipped 1 power-law rows/),
    ]);
  });

  it("reads nccl-tests rows as the engine's collectives: elements x element bytes, one NVLink domain", async () => {
    const head =
      '"framework","version","device","op_name","kernel_source","nccl_dtype","num_gpus","message_size","latency"';
    const nccl = file(
      "nccl.csv",
      `${head}\n"TRTLLM","2.29.2","NVIDIA H100 80GB HBM3","all_reduce","NCCL","half",8,524288,0.0254\n"TRTLLM","2.29.2","NVIDIA H100 80GB HBM3","alltoall","NCCL","int8",4,1024,0.01\n"TRTLLM","2.29.2","NVIDIA H100 80GB HBM3","broadcast","NCCL","half",8,1024,0.01\n"TRTLLM","2.29.2","NVIDIA H100 80GB HBM3","all_gather","NCCL","double",8,1024,0.01\n`,
    );
    const warnings: string[] = [];
    const [allReduce, allToAll, ...rest] = await loadMeasurements([nccl], registry, {
      warn: (w) => warnings.push(w),
    });
    expect(rest).toEqual([]);
    // 524,288 half elements = 1,048,576 bytes: the all-reduce buffer of 64 tokens x 8192 x 2 bytes.
    expect(allReduce?.op).toMatchObject({
      kind: "collective",
      computeDtype: "fp16",
      comm: {
        collective: "all-reduce",
        bytes: 1_048_576,
        span: { size: 8, membersPerDomain: 8, domains: 1 },
      },
    });
    expect(allToAll?.op.comm).toMatchObject({
      collective: "all-to-all",
      bytes: 1024,
      implementation: "nccl",
    });
    expect(allReduce?.group).toBe("NCCL 2.29.2");
    expect(warnings).toEqual([
      expect.stringMatching(/skipped 1 rows of op_name "broadcast"/),
      expect.stringMatching(/skipped 1 rows of nccl_dtype "double"/),
    ]);
  });
  it("reads custom all-reduce rows (TensorRT-LLM's implementation column, vLLM's backend column) as the engine's all-reduce on the custom kernels; vLLM's eager rows are left out", async () => {
    const trtllm = file(
      "custom_allreduce_perf.csv",
      [
        '"framework","version","device","op_name","kernel_source","allreduce_dtype","num_gpus","message_size","latency","implementation"',
        '"TRTLLM","1.3.0rc20","NVIDIA H100 80GB HBM3","all_reduce","TRTLLM","bfloat16",8,8192,0.00356,"trtllm"',
        '"TRTLLM","1.3.0rc20","NVIDIA H100 80GB HBM3","all_reduce","TRTLLM","bfloat16",4,8192,0.004,"mnnvl"',
        "",
      ].join("\n"),
    );
    const vllm = file(
      "vllm/custom_allreduce_perf.csv",
      [
        '"framework","version","device","op_name","kernel_source","allreduce_dtype","num_gpus","message_size","latency","backend"',
        '"vLLM","0.24.0","NVIDIA H100 80GB HBM3","all_reduce","vLLM_custom_graph","bfloat16",2,128,0.0047,"vllm_graph"',
        '"vLLM","0.24.0","NVIDIA H100 80GB HBM3","all_reduce","vLLM_custom_eager","bfloat16",2,128,0.023,"vllm_eager"',
        "",
      ].join("\n"),
    );
    const warnings: string[] = [];
    const rows = await loadMeasurements([trtllm, vllm], registry, { warn: (w) => warnings.push(w) });
    expect(rows).toHaveLength(2);
    // 8192 BF16 elements = 16,384 bytes: one decode token of Llama-3.1-70B (H = 8192).
    expect(rows[0]?.op.comm).toMatchObject({
      collective: "all-reduce",
      bytes: 16_384,
      span: { size: 8, membersPerDomain: 8, domains: 1 },
      implementation: "custom",
    });
    expect(familyVariant(rows[0]?.op as Op)).toBe("all-reduce/custom/scale-up");
    expect(rows[0]?.latencyMs).toBe(0.00356);
    expect(rows[0]?.group).toBe("TRTLLM 1.3.0rc20");
    expect(rows[1]?.op.comm).toMatchObject({ bytes: 256, span: { size: 2 }, implementation: "custom" });
    expect(warnings).toEqual([
      expect.stringMatching(/skipped 1 rows of implementation "mnnvl" \(known: trtllm, vllm_graph, nccl\)/),
      expect.stringMatching(/skipped 1 rows of backend "vllm_eager"/),
    ]);
    const bad = file(
      "custom_bad.csv",
      '"framework","version","device","op_name","kernel_source","allreduce_dtype","num_gpus","message_size","latency","strategy"\n',
    );
    await expect(loadMeasurements([bad], registry)).rejects.toThrow(/unknown column "strategy"/);
  });
  it("reads DeepEP's low-latency rows as the engine's moe_dispatch and moe_combine (hand-derived bytes), and leaves out NVL72 racks", async () => {
    const head =
      '"framework","version","device","op_name","kernel_source","node_num","hidden_size","num_token","num_topk","num_experts","combine_avg_t_us","combine_bandwidth_gbps","dispatch_avg_t_us","dispatch_bandwidth_gbps"';
    const ll = file(
      "wideep_deepep_ll_perf.csv",
      [
        head,
        '"sglang","0.5.12","NVIDIA H100 80GB HBM3","ll","deepep",1,7168,128,8,256,60.5,100,30.25,100',
        '"sglang","0.5.12","NVIDIA GB200","ll","deepep",1,7168,128,8,256,60.5,100,30.25,100',
        "",
      ].join("\n"),
    );
    const warnings: string[] = [];
    const [dispatch, combine, ...rest] = await loadMeasurements([ll], registry, {
      warn: (w) => warnings.push(w),
    });
    expect(rest).toHaveLength(0);
    // 128 tokens x top-8 x 7168: FP8 out, BF16 back, among the 8 GPUs of one machine.
    expect(dispatch).toMatchObject({
      hardware: "H100-SXM",
      latencyMs: 0.03025,
      op: {
        name: "moe_dispatch",
        comm: {
          collective: "all-to-all",
          bytes: 128 * 8 * 7168,
          span: { size: 8, domains: 1 },
          implementation: "deepep-low-latency",
        },
      },
    });
    expect(combine).toMatchObject({
      latencyMs: 0.0605,
      op: { name: "moe_combine", comm: { bytes: 128 * 8 * 7168 * 2 } },
    });
    expect(familyVariant(dispatch?.op as Op)).toBe("all-to-all/deepep-low-latency/scale-up");
    expect(warnings).toEqual([
      expect.stringMatching(/skipped 1 rows on GB200-NVL72, whose scale-up domain is not one 8-GPU machine/),
    ]);
  });
  it("reads DeepEP's normal-mode rows at its default 20 SMs as the step's own moe_dispatch and moe_combine (hand-derived tier bytes)", async () => {
    const head =
      '"framework","version","device","op_name","kernel_source","node_num","hidden_size","num_token","num_topk","num_experts","dispatch_sms","dispatch_transmit_us","dispatch_notify_us","combine_sms","combine_transmit_us","combine_notify_us"';
    const normal = file(
      "wideep_deepep_normal_perf.csv",
      [
        head,
        '"sglang","0.5.12","NVIDIA H100 80GB HBM3","normal","deepep",1,7168,4096,8,256,20,490,2,20,980,0',
        '"sglang","0.5.12","NVIDIA H100 80GB HBM3","normal","deepep",1,7168,4096,8,256,24,480,0,24,960,0',
        "",
      ].join("\n"),
    );
    const warnings: string[] = [];
    const rows = await loadMeasurements([normal], registry, { warn: (w) => warnings.push(w) });
    expect(rows).toHaveLength(2);
    const [dispatch, combine] = rows;
    // A rank receives, from each of the 8, the tokens whose top-8 hits one of its 32 experts:
    // 8 x 4096 x (1 - Π_{i<8} (224-i)/(256-i)) tokens of 7168 channels, FP8 with 4-byte scales
    // per 128 channels out, BF16 back.
    let miss = 1;
    for (let i = 0; i < 8; i++) miss *= (224 - i) / (256 - i);
    const tokens = 8 * 4096 * (1 - miss);
    expect(dispatch).toMatchObject({
      hardware: "H100-SXM",
      latencyMs: 0.492,
      op: {
        name: "moe_dispatch",
        comm: { bytes: 4096 * 8 * 7168, span: { size: 8, domains: 1 }, implementation: "deepep-normal" },
      },
    });
    expect(dispatch?.op.comm?.split?.scaleUpBytes).toBeCloseTo(tokens * 7168 * (1 + 4 / 128), 3);
    expect(dispatch?.op.comm?.split?.scaleOutBytes).toBe(0);
    expect(combine?.latencyMs).toBe(0.98);
    expect(combine?.op.comm?.split?.scaleUpBytes).toBeCloseTo(tokens * 7168 * 2, 3);
    expect(familyVariant(dispatch?.op as Op)).toBe("all-to-all/deepep-normal/scale-up");
    expect(warnings).toEqual([
      expect.stringMatching(
        /left out 2 dispatch\/combine timings at SM counts other than DeepEP's default 20/,
      ),
    ]);
    // The same op a DeepSeek-V3 EP8 prefill step of 4096 tokens per GPU builds.
    const v3 = builtinModel("deepseek-ai/DeepSeek-V3");
    if (!v3.ok) throw new Error("no DeepSeek-V3 in the catalog");
    const step = simulateStep({
      model: v3.model,
      hardware: hardwareSpecOf(registry.get("H100-SXM") as AcceleratorRecord),
      parallel: { dp: 8, ep: 8 },
      workload: { prefill: { sequences: 1, newTokens: 4096, cachedTokens: 0 }, decode: null },
      ignoreMemory: true,
    });
    const stepDispatch = step.layers
      .find((l) => l.kind === "moe")
      ?.ops.find((o) => o.name === "moe_dispatch");
    expect(stepDispatch?.commBytes).toBe(dispatch?.op.comm?.bytes);
    // Same tier bytes too: the roofline times both alike.
    const h100 = hardwareSpecOf(registry.get("H100-SXM") as AcceleratorRecord);
    expect(rooflinePredictor().predict(dispatch?.op as Op, h100).commMs).toBe(stepDispatch?.commMs);
  });
  it("reads Vidur's network profiles across machines, rejects the PCIe-paired topologies, and skips what the catalog cannot price", async () => {
    const head =
      ",time_stats.send_recv.min,time_stats.send_recv.max,time_stats.send_recv.mean,time_stats.send_recv.median,time_stats.send_recv.std,rank,num_workers,size,collective,devices_per_node,max_devices_per_node";
    const rows = `${head}\n0,0.01,0.02,0.015,0.012,0.001,0,2,2048,send_recv,1,8\n1,0.01,0.02,0.015,0.011,0.001,0,2,2048,send_recv,2,8\n`;
    const [crossNode, inNode] = await loadMeasurements(
      [file("network/h100_dgx/send_recv.csv", rows)],
      registry,
    );
    expect(crossNode?.op.comm?.span).toEqual({ size: 2, membersPerDomain: 1, domains: 2 });
    expect(inNode?.op.comm?.span).toEqual({ size: 2, membersPerDomain: 2, domains: 1 });
    expect([crossNode?.latencyMs, crossNode?.hardware, crossNode?.group]).toEqual([
      0.012,
      "H100-SXM",
      "h100_dgx",
    ]);
    await expect(
      loadMeasurements([file("network/h100_pairwise_nvlink/send_recv.csv", rows)], registry),
    ).rejects.toThrow(/pairwise_nvlink topology .* no catalog equivalent/);
    // The catalog A100 has no NIC bandwidth: its cross-machine row cannot be scored, and is said so.
    const warnings: string[] = [];
    const a100 = await loadMeasurements([file("network/a100_dgx/send_recv.csv", rows)], registry, {
      warn: (w) => warnings.push(w),
    });
    expect(a100.map((r) => r.op.comm?.span.domains)).toEqual([1]);
    expect(warnings).toEqual([expect.stringMatching(/skipped 1 rows that A100-SXM4-80GB cannot price/)]);
  });
  it("reads AIConfigurator's MLA kernel rows as the engine's MLA attention ops (hand-derived), a family apart from GQA's", async () => {
    const head =
      '"framework","version","device","op_name","kernel_source","mla_dtype","kv_cache_dtype","num_heads","batch_size","isl","tp_size","step","latency"';
    const mla = file(
      "generation_mla_perf.csv",
      [
        head,
        '"TRTLLM","1","NVIDIA H100 80GB HBM3","mla_generation","default","bfloat16","fp8",16,8,1,8,1023,0.05',
        '"TRTLLM","1","NVIDIA H100 80GB HBM3","mla_context","default","bfloat16","bfloat16",16,2,512,8,0,0.2',
        "",
      ].join("\n"),
    );
    const [decode, prefill] = await loadMeasurements([mla], registry);
    // Decode (absorbed, DeepSeek-V3's Dc 512, dr 64): 8 sequences x 16 heads x 1024 keys x
    // 2·(2·512 + 64) FLOPs; reads 8 x 1024 latent entries of 576 one-byte elements plus the
    // 8 x 16 query rows of 576 BF16 elements.
    expect(decode?.op).toMatchObject({
      name: "attention_decode",
      flops: 2 * 8 * 16 * 1024 * 1088,
      bytesRead: 8 * 1024 * 576 + 8 * 16 * 576 * 2,
      attention: { sequences: 8, contextTokens: 1024, heads: 16, kvHeads: 1, headDim: 576 },
    });
    expect(familyVariant(decode?.op as Op)).toBe("mla/fp8");
    // Prefill (non-absorbed): 2 prompts x 16 heads x 512·513/2 causal pairs x 2·(192 + 128) FLOPs.
    expect(prefill?.op).toMatchObject({
      name: "attention_prefill",
      flops: 2 * 2 * 16 * ((512 * 513) / 2) * 320,
      attention: { sequences: 2, queryTokens: 512, contextTokens: 512, kvHeads: 16, headDim: 192 },
    });
    expect(familyVariant(prefill?.op as Op)).toBe("mla/bf16");
    // The module tables time whole attention modules: not a kernel format.
    const module = file(
      "mla_generation_module_perf.csv",
      `${head.replace('"latency"', '"model","gemm_type","latency"')}\n`,
    );
    await expect(loadMeasurements([module], registry)).rejects.toThrow(/columns match no measurement format/);
  });
  it("reads AIConfigurator's MLA BMM rows as the engine's batched q_absorb_decode / v_up_decode (hand-derived)", async () => {
    const bmm = file(
      "mla_bmm_perf.csv",
      [
        '"framework","version","device","op_name","kernel_source","bmm_dtype","num_tokens","num_heads","latency"',
        '"TRTLLM","1","NVIDIA H100 80GB HBM3","mla_gen_pre","trtllm_fp8_block_scaling_bmm_out","fp8",64,16,0.009',
        '"TRTLLM","1","NVIDIA H100 80GB HBM3","mla_gen_post","trtllm_bmm_out","bfloat16",64,16,0.005',
        '"TRTLLM","1","NVIDIA B200","mla_gen_post","trtllm_bmm_out_dequant_bf16","fp8",64,16,0.004',
        '"TRTLLM","1","NVIDIA H100 80GB HBM3","mla_gen_post","x","int4",64,16,0.004',
        '"TRTLLM","1","NVIDIA H100 80GB HBM3","mla_gen_pre","trtllm_bmm_out","float16",8,4,0.004',
        "",
      ].join("\n"),
    );
    const warnings: string[] = [];
    const [pre, post, dequant, float16, ...rest] = await loadMeasurements([bmm], registry, {
      warn: (w) => warnings.push(w),
    });
    expect(rest).toEqual([]);
    // Older collectors label their BF16 run "float16" (it builds bfloat16 tensors).
    expect(float16?.op).toMatchObject({ computeDtype: "bf16", weightDtype: "bf16", shape: { batch: 4 } });
    expect(warnings.join("\n")).toMatch(/skipped 1 rows of bmm_dtype "int4"/);
    // Pre: 64 tokens x 16 heads, q_nope (128) against each head's W_UK (128 x 512), FP8 weights in
    // 128 x 128 blocks; reads 16·128·512 weight bytes + 16·64·128 BF16 inputs, writes 16·64·512 BF16.
    expect(pre?.op).toMatchObject({
      name: "q_absorb_decode",
      kind: "gemm",
      computeDtype: "fp8",
      flops: 2 * 16 * 64 * 128 * 512,
      bytesRead: 16 * 128 * 512 + 16 * 64 * 128 * 2,
      bytesWritten: 16 * 64 * 512 * 2,
      shape: { m: 64, n: 512, k: 128, batch: 16 },
    });
    expect(familyVariant(pre?.op as Op)).toBe("block-128x128");
    expect(pre?.latencyMs).toBe(0.009);
    // Post: the latent output (512) against each head's W_UV (512 x 128), BF16.
    expect(post?.op).toMatchObject({
      name: "v_up_decode",
      computeDtype: "bf16",
      flops: 2 * 16 * 64 * 512 * 128,
      shape: { m: 64, n: 128, k: 512, batch: 16 },
    });
    // A dequantizing kernel is a BF16 BMM whatever bmm_dtype says.
    expect(dequant?.op).toMatchObject({ computeDtype: "bf16", weightDtype: "bf16" });
    expect(dequant?.hardware).toBe("B200-HGX");
    // The engine's own ops of a DeepSeek-V3 decode step at TP 8 (16 heads per GPU) are these.
    const v3 = builtinModel("deepseek-ai/DeepSeek-V3");
    if (!v3.ok) throw new Error("no DeepSeek-V3 in the catalog");
    // DeepSeek-V3 at TP 8 on H100s; decode of 64 sequences unless told otherwise.
    const stepOps = (extra: Partial<Parameters<typeof simulateStep>[0]> = {}) =>
      simulateStep({
        model: v3.model,
        hardware: hardwareSpecOf(registry.get("H100-SXM") as AcceleratorRecord),
        parallel: { tp: 8 },
        workload: { prefill: null, decode: { sequences: 64, contextTokens: 1024 } },
        ignoreMemory: true,
        ...extra,
      }).layers.flatMap((l) => l.ops);
    const engine = stepOps().find((op) => op.name === "q_absorb_decode");
    expect(engine).toMatchObject({
      flops: pre?.op.flops,
      shape: pre?.op.shape,
      familyVariant: "block-128x128",
    });
    // The BF16 checkpoint's v_up_decode is the post row's op.
    const vUp = stepOps({ dtypes: { weight: "bf16" } }).find((op) => op.name === "v_up_decode");
    expect(vUp).toMatchObject({
      flops: post?.op.flops,
      bytesRead: post?.op.bytesRead,
      shape: post?.op.shape,
      familyVariant: "",
    });
    // Every batched GEMM the engine builds is named in MLA_BMM_OP_NAMES (absorbed prefill too).
    const batchedNames = stepOps({
      workload: {
        prefill: { sequences: 1, newTokens: 256, cachedTokens: 0 },
        decode: { sequences: 8, contextTokens: 512 },
      },
      mlaMode: "absorbed",
    })
      .filter((op) => op.shape?.batch !== undefined)
      .map((op) => op.name);
    expect(new Set(batchedNames)).toEqual(MLA_BMM_OP_NAMES);
  });
  it("random CSV text fails only with InputError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        const path = file("fuzz.csv", `hardware,op,kind,dtype,latency_ms\n${text}`);
        try {
          await loadMeasurements([path], registry);
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("llmsim calibrate: accuracy targets (issue 5)", () => {
  const heldOutMedian = (args: string[]) => {
    const r = llmsim(["calibrate", ...args, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout).rows as Row[];
  };
  const vidurAccelerators = { a100: "A100-SXM4-80GB", h100: "H100-SXM", a40: "A40" };
  for (const [gpu, accelerator] of Object.entries(vidurAccelerators)) {
    it(`Vidur ${gpu}: leave-one-model-out MLP kernel median error <= 10%${gpu === "a40" ? " (no issue target)" : ""}`, () => {
      const rows = heldOutMedian([
        "--measurements",
        ...vidur(gpu),
        "--hold-out",
        "group",
        "--ops",
        "mlp_up,mlp_act,mlp_down",
      ]);
      const all = rows.find((r) => r.op === "all") as Row;
      expect(all.hardware).toBe(accelerator);
      expect(all.heldOut?.n).toBeGreaterThan(6000);
      for (const row of rows) expect(row.heldOut?.medianAbsPct, `${row.op}`).toBeLessThanOrEqual(10);
    }, 60_000);
  }
  it("AIConfigurator H100 fused MoE: 20% of shapes held out, median error <= 15% (no issue target; today 9.4%)", () => {
    const splits = [1, 2, 3].map((seed) =>
      heldOutMedian(["--measurements", AIC_H100_MOE, "--hold-out", "0.2", "--seed", String(seed)]),
    );
    const rows = splits[0] as Row[];
    const all = rows.find((r) => r.op === "all") as Row;
    expect(all.heldOut?.n).toBeGreaterThan(10_000);
    // Block-scaled FP8 (DeepSeek-style) experts are families of their own.
    expect(rows.filter((r) => r.op.includes("block-128x128"))).toHaveLength(2);
    // Every BF16 and FP8 family and the pool stay within 15% on seed 1's split.
    for (const row of rows)
      if (!row.op.includes("weights-"))
        expect(row.heldOut?.medianAbsPct, `${row.op}`).toBeLessThanOrEqual(15);
    // The 351 W4A16 (MXFP4) shapes are scored on 40-120 held-out shapes a side, so one split's
    // median swings (seed 1: 14.0% and 29.3%; seeds 2, 3: 10-16%): their mean over three splits
    // stays within 25%.
    const w4 = rows.filter((r) => r.op.includes("weights-fp4")).map((r) => r.op);
    expect(w4).toHaveLength(2);
    for (const op of w4) {
      const medians = splits.map((split) => split.find((r) => r.op === op)?.heldOut?.medianAbsPct as number);
      expect(medians.reduce((a, b) => a + b, 0) / medians.length, op).toBeLessThanOrEqual(25);
    }
  }, 60_000);
  it("collectives: NCCL (AIConfigurator) and Vidur network tables, 20% of shapes held out, median error <= 10% (no issue target; today 2.8% and 0.5%)", () => {
    for (const files of [[AIC_H100_NCCL], vidurNetwork]) {
      const rows = heldOutMedian(["--measurements", ...files, "--hold-out", "0.2"]);
      const all = rows.filter((r) => r.op === "all");
      expect(all.length).toBeGreaterThan(0);
      for (const row of all) expect(row.heldOut?.n).toBeGreaterThan(100);
      for (const row of rows) expect(row.heldOut?.medianAbsPct, `${row.op}`).toBeLessThanOrEqual(10);
    }
  }, 60_000);
  it("custom all-reduce (AIConfigurator: TensorRT-LLM's, vLLM's CUDA-graph rows): 20% of shapes held out, median error <= 10% (no issue target; today 3.1% and 1.7%), and the one-shot roofline within 10% of TensorRT-LLM's (today 7.1%)", () => {
    const medians = AIC_H100_CUSTOM_ALL_REDUCE.map((table) => {
      const rows = heldOutMedian(["--measurements", table, "--hold-out", "0.2"]);
      expect(rows.map((r) => r.op).sort()).toEqual(["all", "collective all-reduce/custom/scale-up"]);
      const all = rows.find((r) => r.op === "all") as Row;
      expect(all.heldOut?.medianAbsPct, table).toBeLessThanOrEqual(10);
      return all.roofline?.medianAbsPct as number;
    });
    expect(medians[0]).toBeLessThanOrEqual(10);
  }, 60_000);
  it("MLA kernels (AIConfigurator, TensorRT-LLM): 20% of shapes held out, median error <= 10% (no issue target; today 2.6%), and DeepSeek-V3's decode step prices its MLA with them", () => {
    const rows = heldOutMedian(["--measurements", ...AIC_H100_MLA, "--hold-out", "0.2"]);
    expect(rows.map((r) => r.op).sort()).toEqual([
      "all",
      "attention_decode mla/bf16",
      "attention_decode mla/fp8",
      "attention_prefill mla/bf16",
      "attention_prefill mla/fp8",
    ]);
    for (const row of rows) expect(row.heldOut?.medianAbsPct, `${row.op}`).toBeLessThanOrEqual(10);
    const predictor = join(dir, "mla-predictor.json");
    expect(llmsim(["calibrate", "--measurements", ...AIC_H100_MLA, "--out", predictor]).code).toBe(0);
    const r = llmsim([
      ...["step", "--model", "deepseek-ai/DeepSeek-V3", "--hardware", "H100", "--tp", "8", "--dp", "4"],
      ...[
        "--ep",
        "32",
        "--batch",
        "64",
        "--context",
        "4096",
        "--json",
        "--predictor",
        `calibrated:${predictor}`,
      ],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const ops = JSON.parse(r.stdout).layers.flatMap((l: { ops: { name: string }[] }) => l.ops);
    const decode = ops.find((op: { name: string }) => op.name === "attention_decode");
    // 16 heads per GPU, 64 sequences attending 4096 keys: the table's row for exactly this shape
    // (batch 64, 16 heads, step 4095, BF16 cache) measured 0.1192 ms.
    expect(decode).toMatchObject({
      source: "calibrated",
      inEnvelope: true,
      familyVariant: "mla/bf16",
      attention: { sequences: 64, contextTokens: 4096, heads: 16, kvHeads: 1, headDim: 576 },
    });
    expect(decode.ms).toBeCloseTo(0.1192, 3);
  }, 60_000);
  it("MLA BMMs (AIConfigurator, TensorRT-LLM): 20% of shapes held out, median error <= 10% (no issue target; today 1.8%, roofline 73.6%), and a table predictor prices DeepSeek-V3's decode BMMs with them", () => {
    const rows = heldOutMedian(["--measurements", AIC_H100_MLA_BMM, "--hold-out", "0.2"]);
    expect(rows.map((r) => r.op).sort()).toEqual([
      "all",
      "q_absorb_decode",
      "q_absorb_decode block-128x128",
      "v_up_decode",
      "v_up_decode block-128x128",
    ]);
    for (const row of rows) expect(row.heldOut?.medianAbsPct, `${row.op}`).toBeLessThanOrEqual(10);
    // With the GEMM table too, the batched kernels still take their own rows: 64 tokens on 128
    // heads (TP 1), block-scaled FP8, measured 0.02181 ms; the GEMM table's 64 x 512 x 128 slice
    // times 128 heads would be 0.57 ms.
    const r = llmsim([
      ...["step", "--model", "deepseek-ai/DeepSeek-V3", "--hardware", "H100", "--dp", "8", "--ep", "8"],
      ...["--batch", "64", "--context", "4096", "--json", "--ignore-memory"],
      ...["--predictor", `table:${AIC_H100_MLA_BMM},${AIC_H100_GEMM}`],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const ops = JSON.parse(r.stdout).layers.flatMap((l: { ops: { name: string }[] }) => l.ops);
    const absorb = ops.find((op: { name: string }) => op.name === "q_absorb_decode");
    expect(absorb).toMatchObject({ source: "measured", inEnvelope: true, shape: { m: 64, batch: 128 } });
    expect(absorb.ms).toBeCloseTo(0.02181, 4);
    // The GEMM table alone has no batched family: the roofline prices them (it used to give 0.57 ms).
    const gemmOnly = llmsim([
      ...["step", "--model", "deepseek-ai/DeepSeek-V3", "--hardware", "H100", "--dp", "8", "--ep", "8"],
      ...["--batch", "64", "--context", "4096", "--json", "--ignore-memory"],
      ...["--predictor", `table:${AIC_H100_GEMM}`],
    ]);
    expect(gemmOnly.code, gemmOnly.stderr).toBe(0);
    const gemmOnlyAbsorb = JSON.parse(gemmOnly.stdout)
      .layers.flatMap((l: { ops: { name: string }[] }) => l.ops)
      .find((op: { name: string }) => op.name === "q_absorb_decode");
    expect(gemmOnlyAbsorb).toMatchObject({ source: "roofline", inEnvelope: null });
    expect(gemmOnlyAbsorb.ms).toBeLessThan(0.01);
  }, 60_000);
  it("DeepEP low-latency dispatch and combine (AIConfigurator, SGLang): 20% of shapes held out, median error <= 15% (no issue target; today 11.2%), each op closer than the roofline", () => {
    const rows = heldOutMedian(["--measurements", AIC_H100_DEEPEP_LL, "--hold-out", "0.2"]);
    expect(rows.map((r) => r.op).sort()).toEqual([
      "all",
      "moe_combine all-to-all/deepep-low-latency/scale-up",
      "moe_dispatch all-to-all/deepep-low-latency/scale-up",
    ]);
    const all = rows.find((r) => r.op === "all") as Row;
    expect(all.heldOut?.medianAbsPct).toBeLessThanOrEqual(15);
    for (const row of rows)
      expect(row.heldOut?.medianAbsPct, row.op).toBeLessThan(row.roofline?.medianAbsPct as number);
  }, 60_000);
  it("DeepEP normal-mode dispatch and combine (AIConfigurator, SGLang, 20 SMs): 20% of shapes held out, median error <= 10% (no issue target; today 4.7%), each op closer than the roofline", () => {
    const rows = heldOutMedian(["--measurements", AIC_H100_DEEPEP_NORMAL, "--hold-out", "0.2"]);
    expect(rows.map((r) => r.op).sort()).toEqual([
      "all",
      "moe_combine all-to-all/deepep-normal/scale-up",
      "moe_dispatch all-to-all/deepep-normal/scale-up",
    ]);
    const all = rows.find((r) => r.op === "all") as Row;
    expect(all.heldOut?.n).toBeGreaterThan(100);
    expect(all.heldOut?.medianAbsPct).toBeLessThanOrEqual(10);
    for (const row of rows)
      expect(row.heldOut?.medianAbsPct, row.op).toBeLessThan(row.roofline?.medianAbsPct as number);
  }, 60_000);
  it("AIConfigurator H100 GEMM: 20% of shapes held out, median error <= 10%", () => {
    const rows = heldOutMedian(["--measurements", AIC_H100_GEMM, "--hold-out", "0.2"]);
    const all = rows.find((r) => r.op === "all") as Row;
    expect(all.heldOut?.n).toBeGreaterThan(20_000);
    for (const row of rows) expect(row.heldOut?.medianAbsPct, `${row.op}`).toBeLessThanOrEqual(10);
  }, 60_000);
});

describe("calibrate --exclude", () => {
  it("holds out a batched GEMM case by its batch as well as its shape", () => {
    const suite = file(
      "bmm-suite.yaml",
      `suite: bmm
calibration: held-out
cases:
  - id: w-uk
    source: { document: "notebook" }
    level: kernel
    scenario:
      op: { hardware: H100, kind: gemm, name: q_absorb_decode, m: 64, n: 512, k: 128, batch: 128, dtype: bf16 }
    metric: kernel_time
    value: 8
    unit: us
`,
    );
    const keys = heldOutShapes(loadSuites([suite]), loadHardwareRegistry());
    expect([...keys]).toEqual(["H100-SXM|q_absorb_decode|bf16||128*64x512x128|"]);
  });
  it("holds out the expert GEMMs a fused-MoE step case reads, not only op cases", () => {
    const suite = new URL("../../validation/aiconfigurator-h100-moe.yaml", import.meta.url).pathname;
    const keys = heldOutShapes(loadSuites([suite]), loadHardwareRegistry());
    // Mixtral, 8 tokens top-2 on one GPU: 16 rows; experts_up 2 x 14336 wide over hidden 4096.
    expect(keys.has("H100-SXM|experts_up|fp8||16x28672x4096|")).toBe(true);
    expect(keys.has("H100-SXM|experts_down|fp8||16x4096x14336|")).toBe(true);
    expect([...keys].every((k) => /\|experts_(up|down)\|/.test(k))).toBe(true);
  });
  it("holds out a collective a step case reads by its payload and group, not every collective of its name", async () => {
    const suite = new URL("../../validation/aiconfigurator-h100-deepep.yaml", import.meta.url).pathname;
    const registry = loadHardwareRegistry();
    const keys = heldOutShapes(loadSuites([suite]), registry);
    // DeepSeek-V3's dispatch of 128 tokens per GPU over EP8: 128 x top-8 x 7168 FP8 bytes.
    expect(
      keys.has(`H100-SXM|moe_dispatch|bf16|all-to-all/deepep-normal/scale-up||${128 * 8 * 7168}B/8/1`),
    ).toBe(true);
    const rows = await loadMeasurements([AIC_H100_DEEPEP_NORMAL], registry, { warn: () => {} });
    const held = rows.filter((m) =>
      keys.has(opShapeKey(m.hardware, m.op, familyVariant(m.op), collectiveShapeOf(m.op))),
    );
    // Every case's row, and the few others of the same payload (e.g. 256 experts at Qwen3-235B's
    // hidden size and top-k), but not the table.
    expect(held.length).toBeGreaterThanOrEqual(40);
    expect(held.length).toBeLessThan(rows.length / 4);
  });
});

describe("--predictor on llmsim step", () => {
  const predictorFile = join(dir, "predictor.json");
  const step = [
    "step",
    "--model",
    "meta-llama/Llama-2-7b-hf",
    "--hardware",
    "H100",
    "--phase",
    "prefill",
    "--batch",
    "4",
    "--seq",
    "512",
    "--ops",
    "--json",
  ];
  it("calibrate writes a predictor that step uses, labelling every op's source", () => {
    const fit = llmsim(["calibrate", "--measurements", ...vidur("h100"), "--out", predictorFile]);
    expect(fit.code, fit.stderr).toBe(0);
    expect(existsSync(predictorFile)).toBe(true);
    const features = join(dir, "features.csv");
    const r = llmsim([...step, "--predictor", `calibrated:${predictorFile}`, "--features-csv", features]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.predictor).toBe("calibrated:predictor.json");
    const ops = result.layers.flatMap(
      (l: { ops: { name: string; source: string; inEnvelope: boolean | null }[] }) => l.ops,
    );
    const byName = Object.fromEntries(ops.map((op: { name: string }) => [op.name, op]));
    expect(byName.mlp_up).toMatchObject({ source: "calibrated", inEnvelope: true });
    expect(byName.attention_prefill).toMatchObject({ source: "roofline", inEnvelope: null });
    const csv = readFileSync(features, "utf8").split("\n");
    expect(csv[0]).toContain("predicted_ms");
    expect(csv.some((line) => line.includes(",mlp_up,gemm,bf16,2048,22016,4096,"))).toBe(true);
    // The attention row carries its shape and the family variant predictors key it by.
    const head = (csv[0] as string).split(",");
    const attention = (csv.find((line) => line.includes(",attention_prefill,")) as string).split(",");
    const cell = (column: string) => attention[head.indexOf(column)];
    expect(
      ["sequences", "query_tokens", "context_tokens", "heads", "kv_heads", "head_dim", "kv_dtype"].map(cell),
    ).toEqual(["4", "512", "512", "32", "32", "128", "bf16"]);
    expect(cell("family_variant")).toBe("bf16");
    // A plain GEMM's gemm_batch is empty, as in the llmsim measurement CSV.
    const mlpUp = (csv.find((line) => line.includes(",mlp_up,")) as string).split(",");
    expect(mlpUp[head.indexOf("gemm_batch")]).toBe("");
    // The H200 has the H100's tensor silicon: its ops borrow the H100 families; the H20 does not.
    const onH200 = llmsim([
      ...step.map((a) => (a === "H100" ? "H200" : a)),
      "--predictor",
      `calibrated:${predictorFile}`,
    ]);
    expect(onH200.code, onH200.stderr).toBe(0);
    const h200Ops = JSON.parse(onH200.stdout).layers.flatMap((l: { ops: { name: string }[] }) => l.ops);
    expect(h200Ops.find((op: { name: string }) => op.name === "mlp_up")).toMatchObject({
      source: "transferred",
      inEnvelope: true,
    });
    const onH20 = llmsim([
      ...step.map((a) => (a === "H100" ? "H20" : a)),
      "--predictor",
      `calibrated:${predictorFile}`,
    ]);
    const h20Ops = JSON.parse(onH20.stdout).layers.flatMap((l: { ops: { name: string }[] }) => l.ops);
    expect(h20Ops.find((op: { name: string }) => op.name === "mlp_up")).toMatchObject({ source: "roofline" });
  }, 60_000);
  it("serve prices its iterations with --predictor (the engine pools used to drop it)", () => {
    const serve = [
      "serve",
      "--model",
      "meta-llama/Llama-2-7b-hf",
      "--hardware",
      "H100",
      "--requests",
      "64",
      "--rate",
      "1e9",
      "--arrival",
      "constant",
      "--prompt-tokens",
      "2048",
      "--output-tokens",
      "8",
    ];
    const roofline = llmsim([...serve, "--json"]);
    const calibrated = llmsim([...serve, "--json", "--predictor", `calibrated:${predictorFile}`]);
    expect(roofline.code, roofline.stderr).toBe(0);
    expect(calibrated.code, calibrated.stderr).toBe(0);
    const rate = (r: { stdout: string }) => JSON.parse(r.stdout).inputTokensPerSec as number;
    // Prefill-bound, so the measured GEMM times move the rate (by +3% here: Vidur's H100 FP16
    // GEMMs at these shapes beat the roofline's efficiency).
    expect(Math.abs(rate(calibrated) / rate(roofline) - 1)).toBeGreaterThan(0.02);
    const text = llmsim([...serve, "--predictor", `calibrated:${predictorFile}`]);
    expect(text.stdout.split("\n")[0]).toMatch(/, predictor calibrated:predictor\.json$/);
  }, 60_000);
  it("validate's serving cases use --predictor too", () => {
    const suite = join(dir, "served.yaml");
    writeFileSync(
      suite,
      `suite: served
calibration: held-out
cases:
  - id: prefill-bound
    source: { document: "x" }
    level: system
    scenario:
      serve: { model: meta-llama/Llama-2-7b-hf, hardware: H100, requests: 64, promptTokens: 2048, outputTokens: 8 }
    metric: output_tokens_per_s_total
    value: 1000
    unit: tokens/s
`,
    );
    const predicted = (extra: string[]) => {
      const r = llmsim(["validate", suite, "--json", ...extra]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).cases[0] as { predicted: number; predictor: string };
    };
    const roofline = predicted([]);
    const calibrated = predicted(["--predictor", `calibrated:${predictorFile}`]);
    expect(calibrated.predictor).toBe("calibrated:predictor.json");
    expect(Math.abs(calibrated.predicted / roofline.predicted - 1)).toBeGreaterThan(0.02);
  }, 60_000);
  it("the seed-scenario commands take --predictor too, and the scenario's A100 finds the catalog A100's data", () => {
    const scenario = new URL(
      "../../examples/scenarios/configs/scenarios/deepseek_v3_a100.yaml",
      import.meta.url,
    ).pathname;
    const a100 = vidur("a100").filter((f) => f.includes("Llama-2-7b-hf"));
    const table = `table:${a100.join(",")}`;
    const ops = llmsim(["ops", scenario, "--batch", "8", "--seq", "4096", "--predictor", table, "--json"]);
    expect(ops.code, ops.stderr).toBe(0);
    const sources = JSON.parse(ops.stdout).blocks.flatMap((b: { ops: { source: string }[] }) =>
      b.ops.map((op) => op.source),
    );
    expect(sources).toContain("interpolated");
    for (const command of [["simulate"], ["afd", "simulate"], ["large-ep", "evaluate"]]) {
      const r = llmsim([
        ...command,
        scenario,
        "--batch",
        "8",
        "--seq",
        "4096",
        "--predictor",
        table,
        "--json",
      ]);
      expect(r.code, `${command.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/"predictor": "table:mlp\.csv\.gz"/);
    }
  }, 60_000);
  it("a playbook's --hardware-file also names the accelerator of its --predictor measurements", () => {
    const hw = file(
      "my-hw.yaml",
      "accelerators:\n  - name: MyGPU\n    denseTflops: { bf16: 500 }\n    hbmGB: 80\n    hbmBandwidthGBps: 2000\n    scaleUp: { bandwidthGBps: 300, domainGpus: 8 }\n    scaleOut: { bandwidthGBps: 50 }\n",
    );
    const rows = [1, 8, 64, 512, 4096].flatMap((m) => [
      `MyGPU,gemm,gemm,bf16,${m},4096,4096,${20 + m / 10}`,
      `MyGPU,gemm,gemm,bf16,${m},8192,2048,${20 + m / 8}`,
    ]);
    const table = file("my-gemms.csv", `hardware,op,kind,dtype,m,n,k,latency_us\n${rows.join("\n")}\n`);
    const r = llmsim([
      "afd",
      "simulate",
      "--model",
      "deepseek-ai/DeepSeek-V3",
      "--hardware",
      "MyGPU",
      "--hardware-file",
      hw,
      "--batch",
      "8",
      "--seq",
      "1024",
      "--predictor",
      `table:${table}`,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).predictor).toBe("table:my-gemms.csv");
  }, 60_000);
  it("a table predictor interpolates the measured timings", () => {
    const r = llmsim([...step, "--predictor", `table:${vidur("h100").join(",")}`]);
    expect(r.code, r.stderr).toBe(0);
    const ops = JSON.parse(r.stdout).layers.flatMap(
      (l: { ops: { name: string; source: string }[] }) => l.ops,
    );
    expect(ops.find((op: { name: string }) => op.name === "mlp_down")?.source).toMatch(
      /^(measured|interpolated)$/,
    );
  }, 60_000);
  it("bad predictor values and files exit 2 with a clear message", () => {
    const unknown = llmsim([...step, "--predictor", "magic"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /unknown predictor "magic".*allowed: roofline, calibrated:<predictor.json>/s,
    );
    const broken = file("broken.json", '{"kind": "llmsim-predictor", "schemaVersion": 2}');
    const bad = llmsim([...step, "--predictor", `calibrated:${broken}`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/broken\.json:1:\d+: schemaVersion/);
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/);
    const noHoldOut = llmsim(["calibrate", "--measurements", AIC_H100_GEMM, "--hold-out", "half"]);
    expect(noHoldOut.code).toBe(2);
  });
});
