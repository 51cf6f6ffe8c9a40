import type { HardwareRegistry } from "../hardware/catalog.ts";
import { hardwareSpecOf } from "../hardware/resolve.ts";
import { measuredSibling, sameInterconnect } from "../hardware/same-silicon.ts";
import type { HardwareSpec } from "../hardware/types.ts";
import type { KernelFamily } from "./family.ts";
import type { FamilyHardware } from "./measured.ts";

/**
 * Which accelerator's families serve an accelerator: its own, filed under its catalog name (an
 * alias such as "A100-80GB" finds "A100-SXM4-80GB"'s), else those of a measured catalog accelerator
 * with the same tensor silicon (H200 and H800 priced by H100 measurements), marked transferred.
 */
export function familyHardwareLookup(
  registry: HardwareRegistry,
  families: readonly KernelFamily[],
): (hardwareName: string) => FamilyHardware {
  const measured = [...new Set(families.map((f) => f.hardware))].sort();
  const measuredSpecs = measured.flatMap((name) => {
    const record = registry.get(name);
    return record ? [hardwareSpecOf(record)] : [];
  });
  return (hardwareName) => {
    const record = registry.get(hardwareName);
    const name = record?.name ?? hardwareName;
    if (!record || measured.includes(name)) return { name, transferred: false };
    const spec = hardwareSpecOf(record);
    const sibling = measuredSibling(spec, measuredSpecs);
    if (!sibling) return { name, transferred: false };
    const siblingSpec = measuredSpecs.find((s) => s.name === sibling) as HardwareSpec;
    return { name: sibling, transferred: true, sameInterconnect: sameInterconnect(spec, siblingSpec) };
  };
}
