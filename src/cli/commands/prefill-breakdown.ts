import type { Command } from "@commander-js/extra-typings";
import { PREFILL_DEFAULTS, prefillSpecOf, requireMoe } from "../../config/analysis-request.ts";
import type { Physics } from "../../core/analysis/decode-sweep.ts";
import { prefillBreakdown, prefillTables } from "../../core/analysis/prefill-breakdown.ts";
import { OVERLAP_POLICIES } from "../../core/step/overlap.ts";
import { loadModel } from "../../io/model.ts";
import { resolveSweepGpus } from "../../io/sweep-gpus.ts";
import { type Cell, renderCsv, renderJson, renderTable } from "../format/table.ts";
import { fraction, intAtLeast, nameList, oneOf, outputFormat } from "../options.ts";

export function registerPrefillBreakdown(program: Command): void {
  program
    .command("prefill-breakdown")
    .description(
      "Seed 001's per-layer prefill table (MLA, DenseMLP, TP_MLA, experts, all-to-all, overlaps) and its summary",
    )
    .option("--model <id|config.json>", "MoE model (default deepseek-ai/DeepSeek-V3)")
    .option("--preset <physics>", "llmsim (default) | shallowsim", oneOf(["llmsim", "shallowsim"] as const))
    .option(
      "--gpus <names>",
      "comma-separated GPUs (default: every GPU of --gpu-file, else ShallowSim's 12)",
      nameList,
    )
    .option("--gpu-file <file>", "GPU table in ShallowSim's gpu_info.csv format")
    .option("--hardware-file <files...>", "YAML/JSON files with extra accelerators (llmsim physics)")
    .option("--seq-len <n>", "prompt tokens (default 4383)", intAtLeast(1))
    .option("--kv-cache-rate <f>", "prefix-cache hit rate, 0..1 (default 0.563)", fraction)
    .option("--tp <n>", "attention TP (default 4)", intAtLeast(1))
    .option("--dp <n>", "attention DP groups (default 8)", intAtLeast(1))
    .option(
      "--overlap <policy>",
      "llmsim physics: none | full | two-micro-batch (default two-micro-batch)",
      oneOf(OVERLAP_POLICIES),
    )
    .option(
      "--summary",
      "with --csv/--json: the summary (Compute, Comm, Sum, tokens/s per GPU) instead of the detail",
    )
    .option("--csv", "CSV on stdout: Item, Layers, one column per GPU (the seed's layout)")
    .option("--json", "JSON on stdout")
    .action((options) => {
      const format = outputFormat(options);
      const physics: Physics = options.preset ?? "llmsim";
      const model = loadModel(options.model ?? PREFILL_DEFAULTS.model);
      requireMoe(model, "prefill-breakdown");
      const gpus = resolveSweepGpus({
        physics,
        ...(options.gpus ? { names: options.gpus } : {}),
        ...(options.gpuFile ? { gpuFile: options.gpuFile } : {}),
        ...(options.hardwareFile ? { hardwareFiles: options.hardwareFile } : {}),
      });
      const spec = prefillSpecOf(model, gpus, physics, {
        ...(options.seqLen !== undefined ? { seqLen: options.seqLen } : {}),
        ...(options.kvCacheRate !== undefined ? { kvCacheRate: options.kvCacheRate } : {}),
        ...(options.tp !== undefined ? { tp: options.tp } : {}),
        ...(options.dp !== undefined ? { dp: options.dp } : {}),
        ...(options.overlap ? { overlap: options.overlap } : {}),
      });
      const { seqLen, kvCacheRate, tp, dp } = spec;
      const results = prefillBreakdown(spec);
      const tables = prefillTables(model, results);
      const names = results.map((r) => r.gpu);
      const detail = tables.detail.rows;
      const summary = tables.summary.rows;
      if (format === "csv") {
        process.stdout.write(
          options.summary
            ? renderCsv(["Item", ...names], summary)
            : renderCsv(["Item", "Layers", ...names], detail),
        );
        return;
      }
      if (format === "json") {
        process.stdout.write(
          renderJson({
            schemaVersion: 1,
            model: model.id,
            physics,
            seqLen,
            kvCacheRate: kvCacheRate,
            tp,
            dp,
            gpus: results,
          }),
        );
        return;
      }
      const fmt = (cell: Cell) =>
        typeof cell === "number" ? (Number.isInteger(cell) ? String(cell) : cell.toFixed(6)) : cell;
      process.stdout.write(
        `${model.id} prefill, ${physics} physics: seq_len ${seqLen}, kv_cache_rate ${kvCacheRate}, tp ${tp}, dp ${dp} (ms per layer)\n`,
      );
      process.stdout.write(
        `${renderTable(
          ["Item", "Layers", ...names],
          detail.map((row) => row.map(fmt)),
        )}\n`,
      );
      process.stdout.write(
        `Summary (ms for the whole prefill${physics === "llmsim" ? "; Sum is the engine's step time" : ""})\n`,
      );
      process.stdout.write(
        `${renderTable(
          ["Item", ...names],
          summary.map((row) => row.map((cell) => (typeof cell === "number" ? cell.toFixed(3) : cell))),
        )}\n`,
      );
    });
}
