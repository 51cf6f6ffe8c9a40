import type { Command } from "@commander-js/extra-typings";
import { builtinModel, builtinModelIds } from "../../core/model/catalog.ts";
import { countParams } from "../../core/model/params.ts";
import type { ModelSpec } from "../../core/model/types.ts";
import { billions } from "../format/numbers.ts";
import { renderCsv, renderJson, renderTable } from "../format/table.ts";
import { outputFormat } from "../options.ts";

/** "GQA 64/8", "MHA 32", "MQA 71", "MLA 128". */
export function attentionLabel(model: ModelSpec): string {
  const a = model.attention;
  if (a.kind === "mla") return `MLA ${a.numHeads}`;
  if (a.numKvHeads === a.numHeads) return `MHA ${a.numHeads}`;
  if (a.numKvHeads === 1) return `MQA ${a.numHeads}`;
  return `GQA ${a.numHeads}/${a.numKvHeads}`;
}

/** "256 top-8 +1 shared" or "-". */
export function expertsLabel(model: ModelSpec): string {
  if (!model.moe) return "-";
  const shared = model.moe.shared ? " +shared" : "";
  return `${model.moe.numExperts} top-${model.moe.topK}${shared}`;
}

export function registerModels(program: Command): void {
  program
    .command("models")
    .description("List the built-in models (Hugging Face ids) with derived parameter counts")
    .option("--json", "machine-readable JSON on stdout")
    .option("--csv", "CSV on stdout")
    .action((options) => {
      const rows = builtinModelIds().map((id) => {
        const result = builtinModel(id);
        if (!result.ok) throw new Error(`built-in ${id} does not import`);
        const m = result.model;
        return { id, model: m, params: countParams(m) };
      });
      const format = outputFormat(options);
      if (format === "json") {
        process.stdout.write(
          renderJson(
            rows.map(({ id, model, params }) => ({
              id,
              modelType: model.modelType,
              layers: model.numLayers,
              hiddenSize: model.hiddenSize,
              attention: attentionLabel(model),
              experts: model.moe
                ? { count: model.moe.numExperts, topK: model.moe.topK, shared: model.moe.shared !== null }
                : null,
              weightDtype: model.weightDtype,
              ...params,
            })),
          ),
        );
        return;
      }
      const head = [
        "model",
        "type",
        "layers",
        "hidden",
        "attention",
        "experts",
        "weights",
        "total params",
        "active params",
      ];
      const body = rows.map(({ id, model, params }) => [
        id,
        model.modelType,
        model.numLayers,
        model.hiddenSize,
        attentionLabel(model),
        expertsLabel(model),
        model.weightDtype === model.expertWeightDtype
          ? model.weightDtype
          : `${model.weightDtype}/${model.expertWeightDtype}`,
        format === "csv" ? params.totalParams : billions(params.totalParams),
        format === "csv" ? params.activeParams : billions(params.activeParams),
      ]);
      process.stdout.write(format === "csv" ? renderCsv(head, body) : `${renderTable(head, body)}\n`);
    });
}
