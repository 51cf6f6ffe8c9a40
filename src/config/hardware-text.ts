import type { HardwareRegistry } from "../core/hardware/catalog.ts";
import { applyCluster } from "../core/hardware/resolve.ts";
import type { AcceleratorRecord, ClusterRecord } from "../core/hardware/types.ts";
import type { Issue } from "../core/issues.ts";
import { loadWithSchema } from "./load.ts";
import { acceleratorSchema, hardwareFileSchema } from "./schema/hardware.ts";

/**
 * Adds the accelerators and clusters of a hardware file's text (YAML or JSON: `accelerators:` and
 * `clusters:` lists, or a single accelerator object) to the registry. Later names override earlier
 * ones. Returns the issues (with file:line:col) instead of adding anything when the text is invalid.
 */
export function addHardwareText(registry: HardwareRegistry, text: string, file: string): Issue[] {
  const looksLikeList =
    /^\s*(accelerators|clusters|schemaVersion)\s*:/m.test(text) || /"(accelerators|clusters)"\s*:/.test(text);
  if (!looksLikeList) {
    const parsed = loadWithSchema(text, file, acceleratorSchema);
    if (!parsed.ok) return parsed.issues;
    registry.add(parsed.value as AcceleratorRecord);
    return [];
  }
  const parsed = loadWithSchema(text, file, hardwareFileSchema);
  if (!parsed.ok) return parsed.issues;
  for (const accelerator of parsed.value.accelerators ?? []) registry.add(accelerator as AcceleratorRecord);
  const issues: Issue[] = [];
  (parsed.value.clusters ?? []).forEach((cluster, index) => {
    const base = registry.resolve(cluster.accelerator, ["clusters", index, "accelerator"]);
    if (!base.ok) issues.push(...base.issues.map((issue) => ({ ...issue, file })));
    else registry.add(applyCluster(base.record, cluster as ClusterRecord));
  });
  return issues;
}
