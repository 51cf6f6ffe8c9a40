import type { Command } from "@commander-js/extra-typings";
import { countParams, embeddingParams, layerParams } from "../../core/model/params.ts";
import type { ModelSpec } from "../../core/model/types.ts";
import { loadModel } from "../../io/model.ts";
import { billions } from "../format/numbers.ts";
import { renderCsv, renderJson, renderTable } from "../format/table.ts";
import { outputFormat } from "../options.ts";
import { attentionLabel } from "./models.ts";

/** Consecutive runs of identical layers: "0-2 dense", "3-60 moe". */
export function layerRuns(
  model: ModelSpec,
): { first: number; last: number; ffn: string; window: number | null }[] {
  const runs: { first: number; last: number; ffn: string; window: number | null }[] = [];
  model.layers.forEach((layer, index) => {
    const last = runs[runs.length - 1];
    if (last && last.ffn === layer.ffn && last.window === layer.slidingWindow && last.last === index - 1)
      last.last = index;
    else runs.push({ first: index, last: index, ffn: layer.ffn, window: layer.slidingWindow });
  });
  return runs;
}

export function registerModel(program: Command): void {
  program
    .command("model")
    .description("Show a model's normalized architecture and derived parameter counts")
    .argument(
      "<id|config.json>",
      "built-in Hugging Face id, or a path to a config.json (or a directory holding one)",
    )
    .option("--json", "machine-readable JSON on stdout")
    .option("--csv", "CSV on stdout: parameter counts per layer run")
    .action((idOrPath, options) => {
      const format = outputFormat(options);
      const model = loadModel(idOrPath);
      const params = countParams(model);
      const embedding = embeddingParams(model);
      if (format === "json") {
        process.stdout.write(renderJson({ schemaVersion: 1, model, params }));
        return;
      }
      if (format === "csv") {
        const body = layerRuns(model).map((run) => [
          run.first,
          run.last,
          run.ffn,
          run.window ?? "",
          layerParams(model, model.layers[run.first] ?? { ffn: "dense", slidingWindow: null }, false),
        ]);
        process.stdout.write(
          renderCsv(["firstLayer", "lastLayer", "ffn", "slidingWindow", "paramsPerLayer"], body),
        );
        return;
      }
      const a = model.attention;
      const attentionDetail =
        a.kind === "mla"
          ? `MLA: ${a.numHeads} heads, q_lora ${a.qLoraRank ?? "none"}, kv_lora ${a.kvLoraRank}, qk ${a.qkNopeHeadDim}+${a.qkRopeHeadDim}, v ${a.vHeadDim}`
          : `${attentionLabel(model)}, head dim ${a.headDim}${a.qkvBias ? ", QKV bias" : ""}${a.qkNorm ? ", QK norm" : ""}${a.sinks ? ", sinks" : ""}`;
      const rows: [string, string][] = [
        ["id", model.id],
        ["model_type", model.modelType],
        ["layers x hidden", `${model.numLayers} x ${model.hiddenSize}`],
        ["vocabulary", `${model.vocabSize}${model.tieWordEmbeddings ? " (tied embeddings)" : ""}`],
        ["attention", attentionDetail],
        [
          "dense MLP",
          model.dense ? `${model.dense.intermediateSize}${model.dense.gated ? " gated" : ""}` : "-",
        ],
        [
          "experts",
          model.moe
            ? `${model.moe.numExperts} x ${model.moe.expert.intermediateSize}, top-${model.moe.topK}${model.moe.shared ? `, shared ${model.moe.shared.intermediateSize}` : ""}`
            : "-",
        ],
        [
          "weights",
          model.weightDtype === model.expertWeightDtype
            ? model.weightDtype
            : `${model.weightDtype}, experts ${model.expertWeightDtype}`,
        ],
        ["MTP layers", String(model.mtpLayers)],
        ["total params", billions(params.totalParams, 3)],
        [
          "active params",
          `${billions(params.activeParams, 3)} (${billions(params.activeParamsWithoutEmbedding, 3)} without the input embedding)`,
        ],
        ["non-embedding params", billions(params.nonEmbeddingParams, 3)],
        ...(params.mtpParams > 0
          ? ([["MTP params (not in total)", billions(params.mtpParams, 3)]] as [string, string][])
          : []),
        ["embedding / LM head", `${billions(embedding.embedding, 3)} / ${billions(embedding.lmHead, 3)}`],
      ];
      process.stdout.write(`${renderTable(["field", "value"], rows)}\n`);
      const runs = layerRuns(model).map((run) => [
        run.first === run.last ? `${run.first}` : `${run.first}-${run.last}`,
        run.ffn,
        run.window === null ? "full" : `sliding ${run.window}`,
        billions(
          layerParams(model, model.layers[run.first] ?? { ffn: "dense", slidingWindow: null }, false),
          3,
        ),
      ]);
      process.stdout.write(`${renderTable(["layers", "ffn", "attention", "params per layer"], runs)}\n`);
      for (const warning of model.warnings) process.stderr.write(`llmsim: warning: ${warning}\n`);
    });
}
