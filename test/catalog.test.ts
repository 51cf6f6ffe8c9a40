import { readdirSync, readFileSync } from "node:fs";
import { csvParse } from "d3-dsv";
import { describe, expect, it } from "vitest";
import { acceleratorSchema } from "../src/config/schema/hardware.ts";
import { BUILTIN_ACCELERATORS, HardwareRegistry } from "../src/core/hardware/catalog.ts";
import type { AcceleratorRecord } from "../src/core/hardware/types.ts";
import { builtinModel, builtinModelIds } from "../src/core/model/catalog.ts";

const registry = new HardwareRegistry();
const reference = (file: string) =>
  csvParse(readFileSync(new URL(`../data/reference/${file}`, import.meta.url), "utf8"));

/** Paths of every numeric figure in a record ("denseTflops.bf16", "hbmGB", ...). */
function figurePaths(record: AcceleratorRecord): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === "number") paths.push(key);
    else if (value && typeof value === "object" && !Array.isArray(value) && key !== "sources") {
      for (const [inner, innerValue] of Object.entries(value))
        if (typeof innerValue === "number") paths.push(`${key}.${inner}`);
    }
  }
  return paths;
}

describe("hardware catalog", () => {
  it("holds every accelerator of accelerators.csv, by its name and without the parenthetical", () => {
    for (const row of reference("accelerators.csv")) {
      const name = row.name ?? "";
      const found =
        registry.get(name) ?? registry.get(name.replace(/\s*\(.*\)\s*$/, "").replace(/\s+/g, "-"));
      expect(found, name).toBeDefined();
    }
  });

  it("holds every row of ShallowSim's gpu_info.csv by its gpu_type", () => {
    for (const row of reference("shallowsim-gpu_info.csv"))
      expect(registry.get(row.gpu_type ?? ""), row.gpu_type).toBeDefined();
  });

  it("keeps the issue's names and aliases: H100-SXM, H200-SXM, B200-HGX, GB200-NVL72; H100, H200, B200", () => {
    for (const name of ["H100-SXM", "H200-SXM", "B200-HGX", "GB200-NVL72"])
      expect(registry.get(name)?.name).toBe(name);
    expect(registry.get("h100")?.name).toBe("H100-SXM");
    expect(registry.get("H200")?.name).toBe("H200-SXM");
    expect(registry.get("B200")?.name).toBe("B200-HGX");
  });

  it("gives a source for every figure and validates against the file schema", () => {
    for (const record of BUILTIN_ACCELERATORS) {
      expect(acceleratorSchema.safeParse(record).success, record.name).toBe(true);
      for (const path of figurePaths(record))
        expect(record.sources?.[path], `${record.name} ${path}`).toBeTruthy();
    }
  });

  it("has unique names and aliases", () => {
    const names = BUILTIN_ACCELERATORS.flatMap((r) =>
      [r.name, ...(r.aliases ?? [])].map((n) => n.toLowerCase()),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it("matches ShallowSim's table where the same product's figures agree (H200, GB200-NVL72, MI300X FLOPS)", () => {
    const rows = new Map(reference("shallowsim-gpu_info.csv").map((row) => [row.gpu_type, row]));
    for (const name of ["H200", "GB200-NVL72", "MI300X"]) {
      const row = rows.get(name);
      const record = registry.get(name);
      expect(Math.round(record?.denseTflops?.bf16 ?? 0)).toBe(Number(row?.fp16));
      expect(record?.hbmBandwidthGBps).toBe(Number(row?.mem_bw));
    }
  });

  it("suggests close names for an unknown accelerator", () => {
    const result = registry.resolve("H1OO");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.allowed?.length).toBeGreaterThan(0);
  });
});

describe("model catalog", () => {
  it("knows no model named after an Object.prototype member", () => {
    for (const id of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const result = builtinModel(id);
      expect(result.ok, id).toBe(false);
      if (!result.ok) expect(result.issues[0]?.message).toMatch(/^unknown model/);
    }
  });

  it("lists every config file shipped in src/data/models", () => {
    const files = readdirSync(new URL("../src/data/models/", import.meta.url)).filter((f) =>
      f.endsWith(".json"),
    );
    expect(
      builtinModelIds()
        .map((id) => `${id.replace("/", "--")}.json`)
        .sort(),
    ).toEqual(files.sort());
  });

  it("has the models the seeds name", () => {
    const ids = builtinModelIds();
    for (const id of [
      "meta-llama/Llama-2-7b-hf",
      "meta-llama/Llama-2-70b-hf",
      "internlm/internlm-20b",
      "Qwen/Qwen-72B",
      "facebook/opt-30b",
      "facebook/opt-66b",
      "bigscience/bloom",
      "Qwen/Qwen3-0.6B",
    ]) {
      expect(ids).toContain(id);
    }
  });
});
