import { describe, expect, it } from "vitest";
import { issuesOf } from "../../test/helpers/issues.ts";
import { HardwareRegistry } from "../core/hardware/catalog.ts";
import { hardwareSpecOf } from "../core/hardware/resolve.ts";
import type { Issue } from "../core/issues.ts";
import { builtinModel } from "../core/model/catalog.ts";
import type { ModelSpec } from "../core/model/types.ts";
import { rooflinePredictor } from "../core/predictor/roofline.ts";
import type { Predictor } from "../core/predictor/types.ts";
import { constantArrivalsSec, poissonArrivalsSec } from "../core/sim/arrivals.ts";
import { Mt19937 } from "../core/sim/mt19937.ts";
import { LMSYS_LIKE, type RequestSet, synthesizeRequests } from "../core/sim/requests.ts";
import { enginePool } from "../core/sim/serve/deployment.ts";
import type { PoolConfig } from "../core/sim/serve/types.ts";
import { checkServeOptions, type ServeOptions, serveRequests, serveSetup } from "./serve-request.ts";

const registry = new HardwareRegistry();
const llama = (() => {
  const result = builtinModel("meta-llama/Llama-3.1-8B");
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.model;
})();
const requests: RequestSet = {
  arrivalSec: Float64Array.of(0, 0.1),
  promptTokens: Int32Array.of(100, 200),
  outputTokens: Int32Array.of(10, 20),
};

/** A pool's fields with its step-time model probed on a few iterations. */
const comparable = (pool: PoolConfig) => ({
  ...pool,
  stepTime: {
    stages: pool.stepTime.stages,
    prefill: Array.from(pool.stepTime.stageMs(2048, 4, 0, 0)),
    decode: Array.from(pool.stepTime.stageMs(0, 0, 64, 64 * 1500)),
    mixed: Array.from(pool.stepTime.stageMs(512, 1, 32, 32 * 800)),
  },
});

describe("serveSetup", () => {
  it("defaults: one 'replicas' pool of 1 x H100 at TP 1, continuous 8192/256, the CLI's pool and label", () => {
    const setup = serveSetup({}, llama, registry, requests);
    // What `llmsim serve` built inline before serveSetup existed.
    const cliPool = enginePool({
      model: llama,
      scheduler: { kind: "continuous", maxBatchedTokens: 8192, maxSeqs: 256 },
      dtypes: {},
      name: "replicas",
      role: "both",
      hardware: hardwareSpecOf(registry.get("H100") as NonNullable<ReturnType<HardwareRegistry["get"]>>),
      parallel: { tp: 1, pp: 1, dp: 1, ep: 1 },
      replicas: 1,
    });
    expect(setup.pools.map(comparable)).toEqual([comparable(cliPool)]);
    // `llmsim serve --json` printed kvTokensPerReplica {"replicas": 422176} before the refactor.
    expect(setup.pools[0]?.kvCapacityTokens).toBe(422_176);
    expect(setup.pools[0]?.gpusPerReplica).toBe(1);
    expect(setup.config.pools).toBe(setup.pools);
    expect(setup.config.requests).toBe(requests);
    expect(setup.config.router).toBe("least-outstanding");
    expect(setup.config).not.toHaveProperty("kvTransfer");
    expect(setup).not.toHaveProperty("kvTransfer");
    expect(setup.disaggregated).toBe(false);
    expect(setup.slo).toEqual({});
    expect(setup.scheduler).toEqual({ kind: "continuous", maxBatchedTokens: 8192, maxSeqs: 256 });
    expect(setup.label).toBe("meta-llama/Llama-3.1-8B on 1 x 1 H100, continuous batching");
  });

  it("prices the engine's steps with the given predictor and names it in the label", () => {
    const roofline = rooflinePredictor();
    const doubled: Predictor = {
      name: "doubled",
      predict(op, hardware) {
        const t = roofline.predict(op, hardware);
        return { ...t, computeMs: 2 * t.computeMs, memoryMs: 2 * t.memoryMs, ms: 2 * t.ms };
      },
    };
    const plain = serveSetup({}, llama, registry, requests).pools[0] as PoolConfig;
    const priced = serveSetup({}, llama, registry, requests, { predictor: doubled });
    const pool = priced.pools[0] as PoolConfig;
    for (const [prefillTokens, prefillSeqs, decodeSeqs, context] of [
      [2048, 4, 0, 0],
      [0, 0, 64, 64 * 1500],
    ] as const) {
      const a = plain.stepTime.stageMs(prefillTokens, prefillSeqs, decodeSeqs, context)[0] as number;
      const b = pool.stepTime.stageMs(prefillTokens, prefillSeqs, decodeSeqs, context)[0] as number;
      expect(b / a).toBeCloseTo(2, 9);
    }
    expect(priced.label).toBe(
      "meta-llama/Llama-3.1-8B on 1 x 1 H100, continuous batching, predictor doubled",
    );
  });

  it("passes the flags' values through: parallelism, scheduler, router, dtypes, KV tokens, constant steps, SLO", () => {
    const options: ServeOptions = {
      tp: 2,
      replicas: 3,
      hardware: "H200",
      scheduler: "chunked",
      maxBatchedTokens: 4096,
      maxSeqs: 64,
      router: "round-robin",
      kvTokens: 50_000,
      prefillMs: 20,
      decodeMs: 5,
      sloTtftMs: 200,
      sloTpotMs: 30,
    };
    const setup = serveSetup(options, llama, registry, requests);
    expect(setup.pools).toHaveLength(1);
    const pool = setup.pools[0] as PoolConfig;
    expect(pool).toMatchObject({ name: "replicas", role: "both", replicas: 3, gpusPerReplica: 2 });
    expect(pool.kvCapacityTokens).toBe(50_000);
    expect(pool.scheduler).toEqual({ kind: "chunked", maxBatchedTokens: 4096, maxSeqs: 64 });
    expect(Array.from(pool.stepTime.stageMs(100, 1, 0, 0))).toEqual([20]);
    expect(setup.config.router).toBe("round-robin");
    expect(setup.slo).toEqual({ ttftMs: 200, tpotMs: 30 });
    expect(setup.label).toBe("meta-llama/Llama-3.1-8B on 3 x 2 H200, chunked batching");
    // FP8 weights and KV leave more room for the cache than the checkpoint's BF16.
    const bf16 = serveSetup({}, llama, registry, requests).pools[0]?.kvCapacityTokens as number;
    const fp8 = serveSetup({ weightDtype: "fp8", kvDtype: "fp8" }, llama, registry, requests).pools[0]
      ?.kvCapacityTokens as number;
    expect(fp8).toBeGreaterThan(2 * bf16);
  });
  it("allReduce reaches the engine's step times: custom TP all-reduces make a TP4 decode iteration faster", () => {
    const decodeMs = (allReduce: ServeOptions["allReduce"]) =>
      serveSetup({ tp: 4, allReduce }, llama, registry, requests).pools[0]?.stepTime.stageMs(
        0,
        0,
        1,
        1000,
      )[0] as number;
    expect(decodeMs("custom")).toBeLessThan(decodeMs("nccl"));
    expect(decodeMs(undefined)).toBe(decodeMs("nccl"));
  });

  it("says when a custom all-reduce cannot run: a TP group wider than the H100's 8-GPU domain uses NCCL", () => {
    expect(serveSetup({ tp: 8, allReduce: "custom" }, llama, registry, requests).warnings).toEqual([]);
    expect(serveSetup({ tp: 16, allReduce: "nccl" }, llama, registry, requests).warnings).toEqual([]);
    expect(serveSetup({ tp: 16, allReduce: "custom" }, llama, registry, requests).warnings).toEqual([
      "custom all-reduce is ignored: the TP group spans 2 scale-up domains, so its all-reduces run on NCCL",
    ]);
    const split = {
      prefillReplicas: 1,
      decodeReplicas: 1,
      prefillTp: 16,
      decodeTp: 4,
      allReduce: "custom",
    } as const;
    expect(serveSetup(split, llama, registry, requests).warnings).toEqual([
      "prefill pool: custom all-reduce is ignored: the TP group spans 2 scale-up domains, so its all-reduces run on NCCL",
    ]);
  });

  it("disaggregated: a prefill and a decode pool with their own hardware and TP, and a KV hand-off", () => {
    const options = { prefillReplicas: 2, decodeReplicas: 1, prefillHardware: "H200", decodeTp: 2 };
    const setup = serveSetup(options, llama, registry, requests);
    expect(setup.disaggregated).toBe(true);
    expect(setup.pools.map((p) => [p.name, p.role, p.replicas, p.gpusPerReplica])).toEqual([
      ["prefill", "prefill", 2, 1],
      ["decode", "decode", 1, 2],
    ]);
    // Values `llmsim serve --json` printed for these flags before the refactor.
    expect(setup.pools.map((p) => p.kvCapacityTokens)).toEqual([841_030, 970_464]);
    expect(setup.kvTransfer).toEqual({ bytesPerToken: 131_072, bandwidthBytesPerSec: 50e9, latencySec: 0 });
    expect(setup.config.kvTransfer).toBe(setup.kvTransfer);
    expect(setup.label).toBe("meta-llama/Llama-3.1-8B: 2 prefill + 1 decode replicas, continuous batching");

    const link = serveSetup(
      { prefillReplicas: 1, decodeReplicas: 2, kvLinkGbps: 25, kvLinkLatencyUs: 10 },
      llama,
      registry,
      requests,
    );
    expect(link.kvTransfer).toEqual({ bytesPerToken: 131_072, bandwidthBytesPerSec: 25e9, latencySec: 1e-5 });
  });

  it("rejects one replica flag without the other, --replicas or pool options in the wrong mode, misplaced arrival options, one constant step time", () => {
    const cases: [ServeOptions, Issue][] = [
      [
        { prefillReplicas: 1 },
        {
          code: "missing-field",
          // The flag that is missing.
          path: ["--decode-replicas"],
          message: "disaggregation needs both --prefill-replicas and --decode-replicas",
        },
      ],
      [
        { decodeReplicas: 1 },
        {
          code: "missing-field",
          path: ["--prefill-replicas"],
          message: "disaggregation needs both --prefill-replicas and --decode-replicas",
        },
      ],
      [
        { prefillReplicas: 1, decodeReplicas: 1, replicas: 2 },
        {
          code: "invalid-value",
          path: ["--replicas"],
          message:
            "--replicas is for aggregated serving; with disaggregation give --prefill-replicas and --decode-replicas",
        },
      ],
      [
        { prefillMs: 5 },
        {
          code: "missing-field",
          path: ["--decode-ms"],
          message: "constant step times need both --prefill-ms and --decode-ms",
        },
      ],
      [
        { decodeMs: 5 },
        {
          code: "missing-field",
          path: ["--prefill-ms"],
          message: "constant step times need both --prefill-ms and --decode-ms",
        },
      ],
      [
        { arrival: "poisson", cv: 2 },
        {
          code: "invalid-value",
          path: ["--cv"],
          message: "--cv is the gap variation of gamma arrivals: give --arrival gamma",
        },
      ],
      [
        { decodeTp: 2 },
        {
          code: "invalid-value",
          path: ["--decode-tp"],
          message: "--decode-tp describes a disaggregated run: give --prefill-replicas and --decode-replicas",
        },
      ],
      [
        { arrival: "burst", rate: 4 },
        {
          code: "invalid-value",
          path: ["--rate"],
          message: "--arrival burst queues every request at time 0: --rate and --cv do not apply",
        },
      ],
    ];
    for (const [options, issue] of cases) {
      expect(issuesOf(() => checkServeOptions(options))).toEqual([issue]);
      expect(issuesOf(() => serveSetup(options, llama, registry, requests))).toEqual([issue]);
    }
  });

  it("burst arrivals queue every request at time 0, with the lengths other arrivals would get", () => {
    const burst = serveRequests({ arrival: "burst", requests: 50, seed: 7 });
    expect(Array.from(burst.arrivalSec)).toEqual(new Array(50).fill(0));
    const constant = serveRequests({ arrival: "constant", rate: 3, requests: 50, seed: 7 });
    expect(burst.promptTokens).toEqual(constant.promptTokens);
    expect(burst.outputTokens).toEqual(constant.outputTokens);
  });

  it("names the flag of an unknown accelerator, and builds the pools before asking for the requests", () => {
    let asked = 0;
    const lazy = () => {
      asked++;
      return requests;
    };
    for (const [options, flag] of [
      [{ hardware: "NOPE" }, "--hardware"],
      [{ prefillReplicas: 1, decodeReplicas: 1, prefillHardware: "NOPE" }, "--prefill-hardware"],
      [{ prefillReplicas: 1, decodeReplicas: 1, decodeHardware: "NOPE" }, "--decode-hardware"],
    ] as const) {
      const issues = issuesOf(() => serveSetup(options, llama, registry, lazy));
      expect(issues.map((i) => [i.code, i.path])).toEqual([["unknown-id", [flag]]]);
    }
    expect(issuesOf(() => serveSetup({ tp: 3 }, llama, registry, lazy))[0]?.path).toEqual([
      "replicas",
      "parallel",
      "tp",
    ]);
    expect(asked).toBe(0);
    expect(serveSetup({}, llama, registry, lazy).config.requests).toBe(requests);
    expect(asked).toBe(1);
  });

  it("takes any model the caller loaded (the web's own, not only the built-in catalog)", () => {
    const renamed: ModelSpec = { ...llama, id: "my/llama" };
    expect(serveSetup({}, renamed, registry, requests).label).toBe(
      "my/llama on 1 x 1 H100, continuous batching",
    );
  });
});

describe("serveRequests", () => {
  it("defaults: 1000 LMSys-like requests, Poisson at 10 req/s, seed 0 (arrivals drawn before lengths)", () => {
    const random = new Mt19937(0);
    const expected = synthesizeRequests(
      poissonArrivalsSec(1000, 10, random),
      LMSYS_LIKE.prompt,
      LMSYS_LIKE.output,
      random,
    );
    expect(serveRequests({})).toEqual(expected);
    expect(serveRequests({ seed: 1 })).not.toEqual(expected);
  });

  it("synthetic lengths, counts and arrival processes from the options", () => {
    const set = serveRequests({
      requests: 5,
      arrival: "constant",
      rate: 4,
      promptTokens: { kind: "fixed", tokens: 512 },
      outputTokens: { kind: "fixed", tokens: 64 },
    });
    expect(set.arrivalSec).toEqual(constantArrivalsSec(5, 4));
    expect(Array.from(set.promptTokens)).toEqual([512, 512, 512, 512, 512]);
    expect(Array.from(set.outputTokens)).toEqual([64, 64, 64, 64, 64]);
    const gamma = serveRequests({ requests: 200, arrival: "gamma", cv: 3 });
    expect(gamma.arrivalSec).toHaveLength(200);
    expect(gamma.arrivalSec).not.toEqual(serveRequests({ requests: 200 }).arrivalSec);
  });

  it("a trace: its arrivals unless an arrival process or rate is given, its first `requests` requests", () => {
    const trace = {
      arrivalSec: Float64Array.of(0, 1, 2, 3),
      promptTokens: Int32Array.of(10, 20, 30, 40),
      outputTokens: Int32Array.of(1, 2, 3, 4),
    };
    expect(serveRequests({}, trace)).toEqual(trace);
    expect(serveRequests({ requests: 2 }, trace)).toEqual({
      arrivalSec: Float64Array.of(0, 1),
      promptTokens: Int32Array.of(10, 20),
      outputTokens: Int32Array.of(1, 2),
    });
    expect(serveRequests({ requests: 10 }, trace).promptTokens).toHaveLength(4);
    expect(serveRequests({ arrival: "constant" }, trace).arrivalSec).toEqual(constantArrivalsSec(4, 10));
    expect(serveRequests({ rate: 2 }, trace).arrivalSec).toEqual(poissonArrivalsSec(4, 2, new Mt19937(0)));
    const lengthsOnly = { ...trace, arrivalSec: null };
    expect(serveRequests({}, lengthsOnly).arrivalSec).toEqual(poissonArrivalsSec(4, 10, new Mt19937(0)));
  });
});
