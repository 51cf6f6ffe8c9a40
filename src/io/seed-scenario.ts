import { loadWithSchema, parseText } from "../config/load.ts";
import { type SeedHardware, seedHardwareSchema } from "../config/schema/seed-hardware.ts";
import { type SeedLayer, seedLayerSchema } from "../config/schema/seed-layer.ts";
import { type SeedScenario, seedScenarioSchema } from "../config/schema/seed-scenario.ts";
import {
  type SeedLayerInput,
  seedCommLayer,
  seedHardwareRecord,
  seedModel,
  seedOverlap,
} from "../config/seed-scenario.ts";
import { hardwareSpecOf } from "../core/hardware/resolve.ts";
import type { AcceleratorRecord, HardwareSpec } from "../core/hardware/types.ts";
import { InputError, type Issue } from "../core/issues.ts";
import type { ModelSpec } from "../core/model/types.ts";
import type { CommLayerSpec } from "../core/scenario/types.ts";
import type { OverlapPolicy } from "../core/step/overlap.ts";
import { readText, resolveFrom } from "./files.ts";

/** An LLMSimulator scenario file with its hardware and layer templates, converted for the engine. */
export interface LoadedScenario {
  readonly file: string;
  readonly hardwareRecord: AcceleratorRecord;
  /** Engine SI units. */
  readonly hardware: HardwareSpec;
  /** Synthesized from the templates: one LayerKind per ffn/moe layer, in order. */
  readonly model: ModelSpec;
  readonly layers: readonly {
    readonly type: "ffn_layer" | "moe_layer" | "comm_layer";
    readonly name: string;
    readonly configFile: string;
    /** The collective of a comm_layer entry. */
    readonly comm?: CommLayerSpec;
  }[];
  /** From max_concurrency / overlap_efficiency. */
  readonly overlap: OverlapPolicy;
  readonly overlapEfficiency: number;
  /** Parsed layer templates, one per entry of `layers`. */
  readonly templates: readonly SeedLayer[];
  /** Defaults taken for omitted fields and fields the engine ignores. */
  readonly warnings: readonly string[];
}

/** Reads and schema-checks one YAML file; issues carry file:line:column. */
function loadFile<T>(
  file: string,
  field: string,
  schema: Parameters<typeof loadWithSchema>[2],
): { value: T; text: string } {
  const text = readText(file, field);
  const parsed = loadWithSchema(text, file, schema);
  if (!parsed.ok) {
    throw new InputError(
      parsed.issues.map((issue) =>
        issue.code === "invalid_type" && issue.message.endsWith("received undefined")
          ? { ...issue, code: "missing-field", message: "required field is missing" }
          : issue,
      ),
    );
  }
  return { value: parsed.value as T, text };
}

/** Issues from the conversion with the line and column of their field in the file they name. */
function locateIssues(issues: readonly Issue[], texts: ReadonlyMap<string, string>): Issue[] {
  return issues.map((issue) => {
    const text = issue.file === undefined ? undefined : texts.get(issue.file);
    if (text === undefined || issue.file === undefined) return issue;
    const parsed = parseText(text, issue.file);
    return parsed.ok ? { ...issue, ...parsed.locate(issue.path) } : issue;
  });
}

/**
 * Loads a scenario (seed format): the hardware file and each layer template, paths relative to the
 * file naming them. Throws InputError with every issue (file:line:column and field).
 */
export function loadSeedScenario(path: string): LoadedScenario {
  const scenario = loadFile<SeedScenario>(path, "scenario", seedScenarioSchema);
  const texts = new Map<string, string>([[path, scenario.text]]);
  const issues: Issue[] = [];
  const located = (at: (string | number)[], error: unknown): Issue[] => {
    if (!(error instanceof InputError)) throw error;
    const where = parseText(scenario.text, path);
    return error.issues.map((issue) =>
      issue.code === "file-not-readable"
        ? { ...issue, file: path, path: at, ...(where.ok ? where.locate(at) : {}) }
        : issue,
    );
  };

  let hardware: SeedHardware | null = null;
  const hardwareFile = resolveFrom(path, scenario.value.hardware);
  try {
    const loaded = loadFile<SeedHardware>(hardwareFile, "hardware", seedHardwareSchema);
    hardware = loaded.value;
  } catch (error) {
    issues.push(...located(["hardware"], error));
  }

  const counts = new Map<string, number>();
  const templates = new Map<string, { value: SeedLayer; text: string }>();
  const inputs: SeedLayerInput[] = [];
  scenario.value.layers.forEach((entry, index) => {
    const file = resolveFrom(path, entry.config);
    try {
      const loaded = templates.get(file) ?? loadFile<SeedLayer>(file, "config", seedLayerSchema);
      templates.set(file, loaded);
      texts.set(file, loaded.text);
      const seen = counts.get(entry.type) ?? 0;
      counts.set(entry.type, seen + 1);
      inputs.push({
        type: entry.type,
        name: entry.name ?? `${loaded.value.name ?? entry.type} ${seen}`,
        file,
        template: loaded.value,
      });
    } catch (error) {
      issues.push(...located(["layers", index, "config"], error));
    }
  });
  if (issues.length > 0 || hardware === null) throw new InputError(issues);

  const model = seedModel(inputs, {
    id: path,
    vocabSize: scenario.value.vocab_size,
    weightDtype: scenario.value.weight_dtype,
  });
  if (!model.ok) throw new InputError(locateIssues(model.issues, texts));
  const { record, warnings: hardwareWarnings } = seedHardwareRecord(hardware);
  const commIssues: Issue[] = [];
  const layers = inputs.map((layer) => {
    const base = { type: layer.type, name: layer.name, configFile: layer.file };
    if (layer.type !== "comm_layer") return base;
    const comm = seedCommLayer(layer, record.scaleUp?.domainGpus ?? 1);
    if (!comm.ok) commIssues.push(...comm.issues);
    return comm.ok ? { ...base, comm: comm.value } : base;
  });
  if (commIssues.length > 0) throw new InputError(locateIssues(commIssues, texts));
  return {
    file: path,
    hardwareRecord: record,
    hardware: hardwareSpecOf(record),
    model: model.value,
    layers,
    ...seedOverlap(hardware),
    templates: inputs.map((layer) => layer.template),
    warnings: [...new Set([...hardwareWarnings, ...model.warnings])],
  };
}
