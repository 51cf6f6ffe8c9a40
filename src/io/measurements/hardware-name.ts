import type { HardwareRegistry } from "../../core/hardware/catalog.ts";

const tokensOf = (text: string) =>
  text
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter((t) => t !== "");

/**
 * The catalog accelerator a profiler's device string names ("NVIDIA H100 80GB HBM3", "h100_sxm",
 * "NVIDIA A100 80GB PCIe"): of the catalog names and aliases whose every word is a word of the
 * string, in any order (nvidia-smi writes "A100 80GB PCIe", the catalog "A100-PCIe-80GB"), the one
 * with the most words, then the longest.
 */
export function acceleratorNamed(registry: HardwareRegistry, device: string): string | undefined {
  const words = new Set(tokensOf(device));
  let best: { name: string; words: number; length: number } | undefined;
  for (const record of registry.list()) {
    for (const alias of [record.name, ...(record.aliases ?? [])]) {
      const key = tokensOf(alias);
      if (key.length === 0 || !key.every((word) => words.has(word))) continue;
      const length = alias.length;
      if (!best || key.length > best.words || (key.length === best.words && length > best.length))
        best = { name: record.name, words: key.length, length };
    }
  }
  return best?.name;
}
