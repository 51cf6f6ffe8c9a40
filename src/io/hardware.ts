import { addHardwareText } from "../config/hardware-text.ts";
import { HardwareRegistry } from "../core/hardware/catalog.ts";
import { InputError } from "../core/issues.ts";
import { readText } from "./files.ts";

/**
 * The built-in catalog plus the accelerators and clusters of `files` (YAML or JSON; a file may hold
 * `accelerators:` and `clusters:` lists or a single accelerator object). Later files override
 * earlier names.
 */
export function loadHardwareRegistry(files: readonly string[] = []): HardwareRegistry {
  const registry = new HardwareRegistry();
  for (const file of files) {
    const issues = addHardwareText(registry, readText(file, "hardwareFile"), file);
    if (issues.length > 0) throw new InputError(issues);
  }
  return registry;
}
