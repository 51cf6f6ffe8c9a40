import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csvParse } from "d3-dsv";
import { describe, expect, it } from "vitest";

const bin = new URL("../../bin/llmsim.js", import.meta.url).pathname;

/** Runs the built CLI (npm test builds first). */
function llmsim(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const expectCleanUsageError = (run: ReturnType<typeof llmsim>, pattern: RegExp) => {
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stdout).toBe("");
};

describe("llmsim step", () => {
  it("runs the built-in default scenario", () => {
    const run = llmsim("step");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("deepseek-ai/DeepSeek-V3 on H800-SXM");
    expect(run.stdout).toMatch(/step latency [\d.,]+ ms/);
  });

  it("the bandwidth override flags reach the engine (a slower link or HBM makes the step slower)", () => {
    const latency = (...flags: string[]) =>
      JSON.parse(llmsim("step", "--json", ...flags).stdout).totals.latencyMs as number;
    const base = latency();
    expect(latency("--scale-up-gbps", "1")).toBeGreaterThan(base * 2);
    expect(latency("--hbm-gbps", "1000")).toBeGreaterThan(base * 1.5);
    expect(latency("--scale-out-gbps", "1", "--domain-gpus", "8")).toBeGreaterThan(base * 2);
  });

  it("--weight-block-size sets the FP8 weight-scale block the ops carry (default: the checkpoint's)", () => {
    const variant = (...flags: string[]) => {
      const run = llmsim("step", "--json", ...flags);
      expect(run.code, run.stderr).toBe(0);
      const ops = JSON.parse(run.stdout).layers.flatMap((l: { ops: object[] }) => l.ops);
      return (ops.find((o: { name: string }) => o.name === "experts_up") as { familyVariant: string })
        .familyVariant;
    };
    expect(variant()).toBe("block-128x128");
    expect(variant("--weight-block-size", "none")).toBe("");
    expect(variant("--weight-block-size", "1x128")).toBe("block-1x128");
    expectCleanUsageError(
      llmsim("step", "--weight-block-size", "128"),
      /--weight-block-size.*expected ROWSxCOLUMNS, e\.g\. 128x128, or none/,
    );
  });

  it("--all-reduce custom puts the TP all-reduces on the one-shot kernels (faster at decode sizes); a bad value exits 2", () => {
    const args = ["step", "--model", "meta-llama/Llama-3.1-70B", "--hardware", "H100", "--tp", "8"];
    const run = (...extra: string[]) => llmsim(...args, "--batch", "1", "--context", "1024", ...extra);
    const nccl = JSON.parse(run("--json").stdout);
    const custom = JSON.parse(run("--json", "--all-reduce", "custom").stdout);
    expect([nccl.allReduce, custom.allReduce]).toEqual(["nccl", "custom"]);
    expect(custom.totals.latencyMs).toBeLessThan(nccl.totals.latencyMs);
    expect(run("--all-reduce", "custom").stdout).toContain("custom TP all-reduce");
    expectCleanUsageError(run("--all-reduce", "ring"), /allReduce: must be one of nccl, custom/);
  });
  it("--json carries the documented fields", () => {
    const run = llmsim(
      "step",
      "--model",
      "meta-llama/Llama-3.1-70B",
      "--hardware",
      "H100",
      "--tp",
      "8",
      "--batch",
      "16",
      "--context",
      "2048",
      "--json",
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.model.totalParams).toBe(70_553_706_496);
    expect(result.model.activeParams).toBe(70_553_706_496);
    expect(result.totals.latencyMs).toBeGreaterThan(0);
    expect(result.totals.tokensPerSecPerGpu).toBeCloseTo((16 * 1000) / result.totals.latencyMs / 8, 6);
    expect(result.memory.fits).toBe(true);
    expect(result.layers).toHaveLength(82);
    expect(result.layers[1].ops.map((op: { name: string }) => op.name)).toContain("attention_decode");
  });

  it("--csv writes one row per layer (per op with --ops)", () => {
    const prefill = [
      "step",
      "--model",
      "Qwen/Qwen3-0.6B",
      "--hardware",
      "A100",
      "--phase",
      "prefill",
      "--batch",
      "2",
      "--seq",
      "512",
      "--csv",
    ];
    const layers = csvParse(llmsim(...prefill).stdout);
    expect(layers).toHaveLength(28 + 2);
    expect(Number(layers[1]?.dominantMs)).toBeGreaterThan(0);
    const ops = csvParse(llmsim(...prefill, "--ops").stdout);
    // 7 ops per layer (2 norms, qkv, attention, o_proj, mlp up and down), embedding, final norm and LM head
    expect(ops).toHaveLength(28 * 7 + 3);
  });

  it("reports a configuration that does not fit with exit code 1 and the memory numbers", () => {
    const run = llmsim(
      "step",
      "--model",
      "meta-llama/Llama-3.1-405B",
      "--hardware",
      "H100",
      "--tp",
      "8",
      "--context",
      "1024",
      "--json",
    );
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("does-not-fit");
    expect(result.memory.fits).toBe(false);
    expect(result.memory.totalBytes).toBeGreaterThan(result.memory.usableBytes);
  });

  it("reads a scenario file whose model path is relative to it, with flags overriding it", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmsim-"));
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({
        model_type: "llama",
        hidden_size: 1024,
        intermediate_size: 4096,
        num_hidden_layers: 4,
        num_attention_heads: 8,
        vocab_size: 1000,
      }),
    );
    writeFileSync(
      join(dir, "run.yaml"),
      "model: ./config.json\nhardware: H100\nphase: decode\nbatch: 4\ncontext: 256\n",
    );
    const run = llmsim("step", "--scenario", join(dir, "run.yaml"), "--batch", "8", "--json");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.workload.decode.sequences).toBe(8);
    expect(result.layers).toHaveLength(6);
  });

  it("uses clusters from a hardware file (2x NVLink changes a TP all-reduce)", () => {
    const args = [
      "step",
      "--model",
      "meta-llama/Llama-3.1-70B",
      "--tp",
      "8",
      "--batch",
      "64",
      "--context",
      "1024",
      "--json",
      "--hardware-file",
      new URL("../../examples/my-cluster.yaml", import.meta.url).pathname,
    ];
    const base = JSON.parse(llmsim(...args, "--hardware", "H800").stdout);
    const faster = JSON.parse(llmsim(...args, "--hardware", "h800-2x-nvlink").stdout);
    expect(faster.totals.commMs).toBeLessThan(base.totals.commMs);
  });
});

describe("bad input: one clear line, exit 2, no stack trace", () => {
  it("unknown model and hardware suggest the closest names", () => {
    expectCleanUsageError(
      llmsim("step", "--model", "deepseek-ai/DeepSeek-V4", "--hardware", "H800", "--context", "10"),
      /unknown model "deepseek-ai\/DeepSeek-V4".*did you mean: deepseek-ai\/DeepSeek-V3/,
    );
    expectCleanUsageError(
      llmsim("step", "--hardware", "H1OO"),
      /unknown accelerator "H1OO".*did you mean: H100/,
    );
  });
  it("TP that does not divide the heads lists the allowed values", () => {
    expectCleanUsageError(
      llmsim(
        "step",
        "--model",
        "meta-llama/Llama-3.1-8B",
        "--hardware",
        "H100",
        "--tp",
        "3",
        "--context",
        "10",
      ),
      /parallel\.tp: TP 3 does not divide the 32 attention heads.*allowed: 1, 2, 4, 8, 16, 32/,
    );
  });
  it("EP larger than the expert count", () => {
    expectCleanUsageError(
      llmsim(
        "step",
        "--model",
        "mistralai/Mixtral-8x7B-v0.1",
        "--hardware",
        "H100",
        "--dp",
        "16",
        "--ep",
        "16",
        "--context",
        "10",
      ),
      /EP 16 is larger than the 8 experts/,
    );
  });
  it("zero or negative sizes", () => {
    expectCleanUsageError(llmsim("step", "--tp", "0"), /--tp.*must be an integer >= 1/);
    expectCleanUsageError(llmsim("step", "--batch", "-4"), /--batch.*must be an integer >= 1/);
  });
  it("a malformed or incomplete config.json names the file and the fields", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmsim-"));
    writeFileSync(join(dir, "broken.json"), '{"model_type": "llama", "hidden_size": 4096,');
    expectCleanUsageError(llmsim("model", join(dir, "broken.json")), /broken\.json:\d+:\d+/);
    writeFileSync(join(dir, "partial.json"), '{"model_type": "llama", "hidden_size": 4096}');
    expectCleanUsageError(
      llmsim("model", join(dir, "partial.json")),
      /partial\.json.*num_hidden_layers: required field is missing/,
    );
  });
  it("a YAML error points at the line", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmsim-"));
    writeFileSync(join(dir, "bad.yaml"), "model: meta-llama/Llama-3.1-8B\nhardware: H100\nphase: later\n");
    expectCleanUsageError(
      llmsim("step", "--scenario", join(dir, "bad.yaml")),
      /bad\.yaml:3:8: phase: must be one of "prefill", "decode", "mixed"/,
    );
  });
  it("a missing file", () => {
    expectCleanUsageError(llmsim("step", "--scenario", "/nonexistent/run.yaml"), /file not found/);
  });
  it("output paths are checked before any work: extension, existing directory, missing directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "llmsim-out-"));
    mkdirSync(join(dir, "taken.svg"));
    expectCleanUsageError(
      llmsim("step", "--chart", join(dir, "c.pdf")),
      /--chart.*must end in \.svg or \.png/,
    );
    expectCleanUsageError(llmsim("step", "--chart", join(dir, "taken.svg")), /taken\.svg is a directory/);
    expectCleanUsageError(
      llmsim("serve", "--requests", "5", "--metrics-csv", join(dir, "none", "m.csv")),
      /--metrics-csv.*the directory .*none does not exist/,
    );
    expectCleanUsageError(llmsim("step", "--features-csv", join(dir, "f.json")), /must end in \.csv/);
    expect(readdirSync(dir)).toEqual(["taken.svg"]);
  });
  it("sizes beyond what one run can hold are refused, not allocated", () => {
    expectCleanUsageError(
      llmsim("serve", "--requests", "1e12"),
      /--requests 1000000000000 is more than the 10,000,000/,
    );
    expectCleanUsageError(
      llmsim("serve", "--replicas", "1e7"),
      /--replicas 10000000 is more than the 100,000/,
    );
    expectCleanUsageError(llmsim("serve", "--dp", "1e12"), /--dp .* is more than the 65,536/);
    expectCleanUsageError(llmsim("plan", "--threads", "1e12"), /--threads.*from 1 to 1,024/);
    expectCleanUsageError(
      llmsim("decode-sweep", "--sweep", "seq-len=1:1e12:1"),
      /999,999,999,999 values; at most 100,000/,
    );
    expectCleanUsageError(
      llmsim("step", "--dp", "32", "--ep", "32", "--redundant-experts", "1e12"),
      /redundant experts exceed experts x EP = 8192/,
    );
    expectCleanUsageError(
      llmsim("serve", "--prompt-tokens", "4294967306"),
      /--prompt-tokens.*a token count from 1 to 100,000,000/,
    );
    const dir = mkdtempSync(join(tmpdir(), "llmsim-"));
    writeFileSync(join(dir, "long.json"), "[[4294967306, 5]]");
    expectCleanUsageError(
      llmsim("serve", "--trace-file", join(dir, "long.json")),
      /long\.json.*prompt_size must be an integer from 0 to 100,000,000, got 4294967306/,
    );
  });
  it("an imbalance beyond EP, an empty or repeated name in a list", () => {
    expectCleanUsageError(
      llmsim("step", "--dp", "8", "--ep", "8", "--expert-imbalance", "100"),
      /expert imbalance 100 exceeds EP 8/,
    );
    expectCleanUsageError(llmsim("plan", "--hardware", "H100,,H20"), /an empty one in "H100,,H20"/);
    expectCleanUsageError(llmsim("plan", "--hardware", "H100,H20,H100"), /"H100" is given twice/);
  });
  it("a decode-sweep GPU that is not swept, and a config.json whose hidden size does not split into heads", () => {
    expectCleanUsageError(
      llmsim("decode-sweep", "--gpu", "bogus"),
      /--gpu: "bogus" is not one of the swept GPUs.*H800/,
    );
    const dir = mkdtempSync(join(tmpdir(), "llmsim-"));
    const config = {
      model_type: "llama",
      hidden_size: 4097,
      num_hidden_layers: 2,
      num_attention_heads: 32,
      intermediate_size: 11008,
      vocab_size: 32000,
      torch_dtype: "bfloat16",
    };
    writeFileSync(join(dir, "config.json"), JSON.stringify(config));
    expectCleanUsageError(
      llmsim("model", join(dir, "config.json")),
      /hidden_size 4097 is not a multiple of the 32 attention heads; give head_dim/,
    );
  });
});

describe("catalog commands", () => {
  it("models --json lists derived counts", () => {
    const models = JSON.parse(llmsim("models", "--json").stdout);
    const v3 = models.find((m: { id: string }) => m.id === "deepseek-ai/DeepSeek-V3");
    expect(v3).toMatchObject({
      totalParams: 671_026_419_200,
      activeParams: 37_552_297_472,
      attention: "MLA 128",
    });
  });
  it("model shows a config.json's architecture", () => {
    const run = llmsim("model", "openai/gpt-oss-120b");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("sliding 128");
  });
  it("hardware lists the catalog and shows the source of every figure", () => {
    expect(llmsim("hardware").stdout).toContain("GB300-NVL72");
    const h800 = JSON.parse(llmsim("hardware", "H800", "--json").stdout);
    expect(h800.hbmBandwidthGBps).toBe(3350);
    expect(h800.sources.hbmBandwidthGBps).toContain("FlashMLA");
  });
  it("op costs a single kernel", () => {
    const run = JSON.parse(
      llmsim(
        "op",
        "gemm",
        "--hardware",
        "H800",
        "--m",
        "4096",
        "--n",
        "7168",
        "--k",
        "16384",
        "--dtype",
        "fp8",
        "--json",
      ).stdout,
    );
    expect(run.ops[0].flops).toBe(2 * 4096 * 7168 * 16384);
    expect(run.ops[0].bound).toBe("compute");
    // A batched GEMM (MLA's W_UK on 128 heads, 64 tokens, FP8): 128 x 2·64·512·128 FLOPs; reads
    // 128·128·512 weight bytes + 128·64·128 BF16 inputs, writes 128·64·512 BF16 outputs.
    const bmm = JSON.parse(
      llmsim(
        ...["op", "gemm", "--hardware", "H100", "--m", "64", "--n", "512", "--k", "128"],
        ...["--batch", "128", "--dtype", "fp8", "--json"],
      ).stdout,
    ).ops[0];
    expect(bmm).toMatchObject({
      flops: 128 * 2 * 64 * 512 * 128,
      bytesRead: 128 * 128 * 512 + 128 * 64 * 128 * 2,
      bytesWritten: 128 * 64 * 512 * 2,
      shape: { m: 64, n: 512, k: 128, batch: 128 },
    });
    // 16,384 bytes on 8 H100s, one shot: 3.23 µs + 7 x 16,384 B / (450 GB/s x 0.765) = 3.563 µs.
    const oneShot = llmsim(
      ...["op", "all-reduce", "--hardware", "H100", "--bytes", "16384", "--gpus", "8"],
      ...["--all-reduce", "custom", "--json"],
    );
    expect(JSON.parse(oneShot.stdout).ops[0].ms).toBeCloseTo(0.003563, 6);
    expectCleanUsageError(
      llmsim(
        "op",
        "all-gather",
        "--hardware",
        "H100",
        "--bytes",
        "16384",
        "--gpus",
        "8",
        "--all-reduce",
        "custom",
      ),
      /--all-reduce: applies to the all-reduce op only, not all-gather/,
    );
    const a2a = llmsim("op", "all-to-all", "--hardware", "H800", "--bytes", "7340032", "--gpus", "128");
    expect(a2a.code).toBe(0);
    expect(a2a.stdout).toContain("16 scale-up domain(s)");
  });
  it("op moe-dispatch prices DeepEP's normal dispatch as a step does: DeepSeek-V3 EP8 on H800", () => {
    const run = llmsim(
      ...["op", "moe-dispatch", "--hardware", "H800", "--model", "deepseek-ai/DeepSeek-V3"],
      ...["--gpus", "8", "--tokens", "4096", "--json"],
    );
    expect(run.code, run.stderr).toBe(0);
    const [op] = JSON.parse(run.stdout).ops;
    // A rank receives 8 x 4096 x (1 - Π_{i<8} (224-i)/(256-i)) tokens of 7168 FP8 channels plus
    // scales, at DeepEP's 153 GB/s, plus DeepEP's fixed 25.91 µs.
    let miss = 1;
    for (let i = 0; i < 8; i++) miss *= (224 - i) / (256 - i);
    const bytes = 8 * 4096 * (1 - miss) * 7168 * (1 + 4 / 128);
    expect(op).toMatchObject({
      name: "moe_dispatch",
      commBytes: 4096 * 8 * 7168,
      familyVariant: "all-to-all/deepep-normal/scale-up",
    });
    expect(op.ms).toBeCloseTo((bytes / 153e9) * 1e3 + 0.02591, 6);
    const combine = JSON.parse(
      llmsim(
        ...["op", "moe-combine", "--hardware", "H800", "--model", "deepseek-ai/DeepSeek-V3"],
        ...["--gpus", "8", "--tokens", "4096", "--json"],
      ).stdout,
    ).ops[0];
    expect(combine.commBytes).toBe(2 * 4096 * 8 * 7168);
    const lowLatency = JSON.parse(
      llmsim(
        ...[
          "op",
          "moe-dispatch",
          "--hardware",
          "H800",
          "--hidden",
          "7168",
          "--topk",
          "8",
          "--experts",
          "256",
        ],
        ...["--gpus", "128", "--tokens", "128", "--a2a", "low-latency", "--json"],
      ).stdout,
    ).ops[0];
    expect(lowLatency.familyVariant).toBe("all-to-all/deepep-low-latency/scale-out");
    // The same op anchor K-DEEPEP-LL128 reads from a DeepSeek-V3 EP128 decode step.
    const validated = JSON.parse(llmsim("validate", "validation/anchors.yaml", "--json").stdout);
    const anchor = validated.cases.find((c: { id: string }) => c.id === "K-DEEPEP-LL128");
    expect(lowLatency.ms).toBe(anchor.predicted);
    expectCleanUsageError(
      llmsim("op", "moe-dispatch", "--hardware", "H100", "--gpus", "8", "--tokens", "4"),
      /--hidden: moe-dispatch needs --hidden/,
    );
    expectCleanUsageError(
      llmsim(
        ...["op", "moe-dispatch", "--hardware", "H100", "--model", "meta-llama/Llama-3.1-8B"],
        ...["--gpus", "8", "--tokens", "4"],
      ),
      /--model: meta-llama\/Llama-3.1-8B has no routed experts/,
    );
    const shape = ["--hardware", "H100", "--hidden", "4096", "--tokens", "4"];
    expectCleanUsageError(
      llmsim("op", "moe-dispatch", ...shape, "--topk", "10", "--experts", "8", "--gpus", "8"),
      /--topk: top-10 of 8 experts/,
    );
    expectCleanUsageError(
      llmsim("op", "moe-dispatch", ...shape, "--topk", "8", "--experts", "256", "--gpus", "3"),
      /--gpus: 3 EP ranks do not divide the 256 experts/,
    );
  });
});

describe("llmsim compare", () => {
  it("attributes B minus A to ops that add up to the two steps' latency difference", () => {
    const latency = (...flags: string[]) =>
      JSON.parse(llmsim("step", "--json", ...flags).stdout).totals.latencyMs as number;
    const run = llmsim("compare", "--tp", "1", "--b", "hardware=H20", "--b", "batch=32", "--json");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    const a = latency("--tp", "1");
    const b = latency("--tp", "1", "--hardware", "H20", "--batch", "32");
    expect(out.a.totals.latencyMs).toBe(a);
    expect(out.b.totals.latencyMs).toBe(b);
    const sum = out.comparison.byOp.reduce((s: number, r: { deltaMs: number }) => s + r.deltaMs, 0);
    expect(sum).toBeCloseTo(b - a, 9);
  });

  it("--b overrides a link bandwidth too, read as its flag reads it", () => {
    const out = JSON.parse(llmsim("compare", "--b", "scaleUpGBps=1", "--json").stdout);
    expect(out.b.totals.latencyMs).toBe(
      JSON.parse(llmsim("step", "--json", "--scale-up-gbps", "1").stdout).totals.latencyMs,
    );
    expect(out.comparison.deltaMs).toBeGreaterThan(0);
    expectCleanUsageError(llmsim("compare", "--b", "tp=0x2"), /must be an integer >= 1/);
  });

  it("rejects an override of an unknown field, and a comparison with no B", () => {
    expectCleanUsageError(llmsim("compare", "--b", "speed=2"), /KEY one of model, hardware/);
    expectCleanUsageError(llmsim("compare"), /at least one --b/);
  });

  it("an unknown --efficiency key names the keys allowed", () => {
    expectCleanUsageError(
      llmsim("step", "--efficiency", "gemm=0.5"),
      /efficiency: unknown field\(s\) "gemm" \(allowed: gemmComputeEfficiency, .*opOverheadUs, customAllReduceLatencyUs, deepEpNormalLatencyUs\)/,
    );
  });
});
