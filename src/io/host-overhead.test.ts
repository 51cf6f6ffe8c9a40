import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { issuesOfAsync } from "../../test/helpers/issues.ts";
import { hostOverheadMs } from "../core/sim/host-overhead.ts";
import { readHostOverheadTable } from "./host-overhead.ts";

const shipped = new URL("../../data/measured/vidur/cpu_overheads/a100/cpu_overheads.csv", import.meta.url)
  .pathname;
const dir = mkdtempSync(join(tmpdir(), "llmsim-host-overhead-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const HEADER =
  "model_name,batch_size,tensor_parallel_degree,schedule_median,sampler_e2e_median,prepare_inputs_e2e_median,process_model_outputs_median,ray_comm_time_mean";

describe("Vidur cpu_overheads.csv", () => {
  it("sums Vidur's overhead terms per (model, TP) against batch size", async () => {
    const table = await readHostOverheadTable(shipped);
    expect(table.curves.map((c) => `${c.model} TP${c.tp}`).sort()).toEqual([
      "Qwen/Qwen-72B TP4",
      "codellama/CodeLlama-34b-Instruct-hf TP2",
      "internlm/internlm-20b TP2",
      "meta-llama/Llama-2-70b-hf TP4",
      "meta-llama/Llama-2-7b-hf TP1",
      "microsoft/phi-2 TP1",
    ]);
    const llama = table.curves.find((c) => c.model === "meta-llama/Llama-2-7b-hf")?.curve;
    if (!llama) throw new Error("no Llama-2-7b curve");
    // Row 0 (batch 8): schedule, sampler_e2e, prepare_inputs_e2e, process_model_outputs medians + ray_comm_time_mean.
    expect(hostOverheadMs(llama, 8)).toBeCloseTo(1.393505387989901, 12);
    // Batch 64 is measured twice (rows 7 and 8: 4.0836 and 4.0602 ms): the curve holds their mean.
    expect(hostOverheadMs(llama, 64)).toBeCloseTo((4.083586478983296 + 4.060208344410534) / 2, 12);
    expect(Array.from(llama.batchSeqs)).toEqual([8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128]);
  });

  it("sums exactly the five terms, ignoring the other timers", async () => {
    const path = file(
      "small.csv",
      `,${HEADER},model_execution_e2e_median\n0,m/a,2,4,0.1,0.2,0.3,0.4,1,99\n1,m/a,6,4,0.1,0.2,0.3,0.4,2,99\n`,
    );
    const curve = (await readHostOverheadTable(path)).curves[0]?.curve;
    expect(curve && hostOverheadMs(curve, 2)).toBeCloseTo(2, 12);
    expect(curve && hostOverheadMs(curve, 4)).toBeCloseTo(2.5, 12);
  });

  it("refuses unknown and missing columns, bad cells (with line and column) and empty files", async () => {
    const unknown = await issuesOfAsync(() =>
      readHostOverheadTable(file("unknown.csv", `${HEADER},gpu_hours\nm/a,1,1,0,0,0,0,0,1\n`)),
    );
    expect(unknown[0]).toMatchObject({ code: "unknown-field", path: ["gpu_hours"], line: 1, column: 9 });
    const missing = await issuesOfAsync(() =>
      readHostOverheadTable(file("missing.csv", "model_name,batch_size\nm/a,1\n")),
    );
    expect(missing.map((i) => i.path[0])).toContain("ray_comm_time_mean");
    const bad = await issuesOfAsync(() =>
      readHostOverheadTable(file("bad.csv", `${HEADER}\nm/a,1,1,0,0,0,0,0\nm/a,0,1,0,0,-1,0,0\n`)),
    );
    expect(bad).toEqual([
      expect.objectContaining({ line: 3, column: 2, path: ["batch_size"] }),
      expect.objectContaining({ line: 3, column: 6, path: ["prepare_inputs_e2e_median"] }),
    ]);
    const empty = await issuesOfAsync(() => readHostOverheadTable(file("empty.csv", `${HEADER}\n`)));
    expect(empty[0]).toMatchObject({ code: "invalid-file", path: ["--host-overhead-table"] });
    const absent = await issuesOfAsync(() => readHostOverheadTable(join(dir, "absent.csv")));
    expect(absent[0]?.path).toEqual(["--host-overhead-table"]);
  });
});
