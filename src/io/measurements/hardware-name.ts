import type { HardwareRegistry } from "../../core/hardware/catalog.ts";

const normalize = (text: string) => text.toLowerCase().replace(/[\s_]+/g, "-");

/**
 * The catalog accelerator a profiler's device string names ("NVIDIA H100 80GB HBM3", "h100_sxm",
 * "a100"): the longest catalog name or alias found in it as a whole word.
 */
export function acceleratorNamed(registry: HardwareRegistry, device: string): string | undefined {
  const text = `-${normalize(device)}-`;
  let best: { name: string; length: number } | undefined;
  for (const record of registry.list()) {
    for (const alias of [record.name, ...(record.aliases ?? [])]) {
      const key = normalize(alias);
      if (text.includes(`-${key}-`) && (!best || key.length > best.length))
        best = { name: record.name, length: key.length };
    }
  }
  return best?.name;
}
