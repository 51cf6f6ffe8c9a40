import { hardwareSpecOf } from "../core/hardware/resolve.ts";
import type { HardwareSpec } from "../core/hardware/types.ts";
import { InputError } from "../core/issues.ts";
import type { ModelSpec } from "../core/model/types.ts";
import { loadHardwareRegistry } from "../io/hardware.ts";
import { loadModel } from "../io/model.ts";
import { loadSeedScenario } from "../io/seed-scenario.ts";

/** Where a playbook's model and hardware come from: a seed scenario, flags, or both (flags win). */
export interface PlaybookSourceOptions {
  readonly model?: string;
  readonly hardware?: string;
  readonly hardwareFile?: readonly string[];
}

export interface PlaybookSource {
  readonly model: ModelSpec;
  readonly hardware: HardwareSpec;
  /** Resolves another accelerator or cluster name (catalog plus --hardware-file). */
  readonly resolveHardware: (name: string, flag: string) => HardwareSpec;
  readonly warnings: readonly string[];
}

/**
 * The model and hardware of `llmsim afd simulate` and `llmsim large-ep evaluate`: from the seed
 * scenario file when given, with --model / --hardware replacing either part.
 */
export function playbookSource(
  scenarioFile: string | undefined,
  options: PlaybookSourceOptions,
): PlaybookSource {
  const scenario = scenarioFile === undefined ? null : loadSeedScenario(scenarioFile);
  const registry = loadHardwareRegistry(options.hardwareFile ?? []);
  const resolveHardware = (name: string, flag: string): HardwareSpec => {
    const resolved = registry.resolve(name, [flag]);
    if (!resolved.ok) throw new InputError(resolved.issues);
    return hardwareSpecOf(resolved.record);
  };
  const missing = (what: string, flag: string) =>
    new InputError([
      {
        code: "missing-field",
        path: [flag],
        message: `give a scenario file or ${flag} <${what}>`,
      },
    ]);
  const model = options.model !== undefined ? loadModel(options.model) : scenario?.model;
  if (!model) throw missing("model id | config.json", "--model");
  const hardware =
    options.hardware !== undefined ? resolveHardware(options.hardware, "--hardware") : scenario?.hardware;
  if (!hardware) throw missing("accelerator", "--hardware");
  return { model, hardware, resolveHardware, warnings: scenario?.warnings ?? [] };
}
