import { loadWithSchema } from "../config/load.ts";
import { acceleratorSchema, hardwareFileSchema } from "../config/schema/hardware.ts";
import { HardwareRegistry } from "../core/hardware/catalog.ts";
import { applyCluster } from "../core/hardware/resolve.ts";
import type { AcceleratorRecord, ClusterRecord } from "../core/hardware/types.ts";
import { InputError, type Issue } from "../core/issues.ts";
import { readText } from "./files.ts";

/**
 * The built-in catalog plus the accelerators and clusters of `files` (YAML or JSON; a file may hold
 * `accelerators:` and `clusters:` lists or a single accelerator object). Later files override
 * earlier names.
 */
export function loadHardwareRegistry(files: readonly string[] = []): HardwareRegistry {
  const registry = new HardwareRegistry();
  for (const file of files) {
    const text = readText(file, "hardwareFile");
    const looksLikeList =
      /^\s*(accelerators|clusters|schemaVersion)\s*:/m.test(text) ||
      /"(accelerators|clusters)"\s*:/.test(text);
    const issues: Issue[] = [];
    if (looksLikeList) {
      const parsed = loadWithSchema(text, file, hardwareFileSchema);
      if (!parsed.ok) throw new InputError(parsed.issues);
      for (const accelerator of parsed.value.accelerators ?? [])
        registry.add(accelerator as AcceleratorRecord);
      (parsed.value.clusters ?? []).forEach((cluster, index) => {
        const base = registry.resolve(cluster.accelerator, ["clusters", index, "accelerator"]);
        if (!base.ok) issues.push(...base.issues.map((issue) => ({ ...issue, file })));
        else registry.add(applyCluster(base.record, cluster as ClusterRecord));
      });
    } else {
      const parsed = loadWithSchema(text, file, acceleratorSchema);
      if (!parsed.ok) throw new InputError(parsed.issues);
      registry.add(parsed.value as AcceleratorRecord);
    }
    if (issues.length > 0) throw new InputError(issues);
  }
  return registry;
}
