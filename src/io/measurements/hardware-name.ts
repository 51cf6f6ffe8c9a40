import type { HardwareRegistry } from "../../core/hardware/catalog.ts";

const tokensOf = (text: string) =>
  text
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter((t) => t !== "");

/**
 * Words that say a part's form factor, by the form they name: SXM modules sit on HGX/DGX boards
 * (AIConfigurator's "b200_sxm" is the catalog's B200-HGX), PCIe cards and NVL pairs are parts apart.
 */
const FORM_FACTOR_OF_WORD: ReadonlyMap<string, string> = new Map([
  ...["sxm", "sxm2", "sxm4", "sxm5", "sxm6", "hgx", "dgx"].map((word) => [word, "sxm"] as const),
  ["pcie", "pcie"],
  ["nvl", "nvl"],
]);
const MEMORY_WORD = /^\d+gb$/;

/** The catalog accelerator a device string names, and where the string says otherwise. */
export interface AcceleratorMatch {
  name: string;
  /**
   * Words of the device string naming a form factor or memory size that the matched entry's names
   * contradict ("NVIDIA H200 NVL" is priced as the catalog's H200-SXM), with the entry's own words
   * for it. Empty when nothing contradicts.
   */
  conflicts: { deviceWords: string[]; catalogWords: string[] }[];
}

/** Per attribute (form factor, memory size): the device's words for it, when the catalog entry's names state it otherwise. */
function conflictsOf(device: Set<string>, catalog: Set<string>): AcceleratorMatch["conflicts"] {
  const attributes: ((word: string) => string | undefined)[] = [
    (word) => FORM_FACTOR_OF_WORD.get(word),
    (word) => (MEMORY_WORD.test(word) ? word : undefined),
  ];
  const conflicts: AcceleratorMatch["conflicts"] = [];
  for (const attributeOf of attributes) {
    const deviceWords = [...device].filter((w) => attributeOf(w) !== undefined);
    const catalogWords = [...catalog].filter((w) => attributeOf(w) !== undefined);
    const catalogValues = new Set(catalogWords.map(attributeOf));
    if (
      deviceWords.length > 0 &&
      catalogWords.length > 0 &&
      !deviceWords.some((w) => catalogValues.has(attributeOf(w)))
    )
      conflicts.push({ deviceWords, catalogWords });
  }
  return conflicts;
}

/**
 * The catalog accelerator a profiler's device string names ("NVIDIA H100 80GB HBM3", "h100_sxm",
 * "NVIDIA A100 80GB PCIe"): of the catalog names and aliases whose every word is a word of the
 * string, in any order (nvidia-smi writes "A100 80GB PCIe", the catalog "A100-PCIe-80GB"), the one
 * with the most words, then the longest.
 */
export function acceleratorNamed(registry: HardwareRegistry, device: string): AcceleratorMatch | undefined {
  const words = new Set(tokensOf(device));
  let best: { name: string; words: number; length: number; catalogWords: Set<string> } | undefined;
  for (const record of registry.list()) {
    const names = [record.name, ...(record.aliases ?? [])];
    for (const alias of names) {
      const key = tokensOf(alias);
      if (key.length === 0 || !key.every((word) => words.has(word))) continue;
      const length = alias.length;
      if (!best || key.length > best.words || (key.length === best.words && length > best.length))
        best = {
          name: record.name,
          words: key.length,
          length,
          catalogWords: new Set(names.flatMap(tokensOf)),
        };
    }
  }
  return best && { name: best.name, conflicts: conflictsOf(words, best.catalogWords) };
}
