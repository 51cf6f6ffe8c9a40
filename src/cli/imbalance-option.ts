import { InputError } from "../core/issues.ts";
import { IMBALANCE_FORMS, type ImbalanceSpec } from "../core/large-ep/imbalance.ts";
import { readExpertHistogram } from "../io/expert-histogram.ts";

/** `--imbalance uniform | power-law:<alpha> | histogram:<file>` as a spec (the file is read here). */
export function parseImbalance(value: string): ImbalanceSpec {
  if (value === "uniform") return { kind: "uniform" };
  const powerLaw = /^power-law:(.+)$/.exec(value);
  if (powerLaw) {
    const alpha = Number(powerLaw[1]);
    if (powerLaw[1]?.trim() !== "" && Number.isFinite(alpha)) return { kind: "power-law", alpha };
  }
  const histogram = /^histogram:(.+)$/.exec(value);
  if (histogram) {
    const file = histogram[1] as string;
    return { kind: "histogram", tokensPerExpert: readExpertHistogram(file), source: file };
  }
  throw new InputError([
    {
      code: "invalid-value",
      path: ["--imbalance"],
      message: `unknown form "${value}"`,
      allowed: [...IMBALANCE_FORMS],
    },
  ]);
}
