import { InputError } from "../core/issues.ts";
import { readText } from "./files.ts";

/**
 * Per-expert routed-token counts from a text file: numbers in expert order separated by commas,
 * spaces or newlines (a JSON array works too); `#` starts a comment. Range checks (count per
 * expert, no negatives) are the core's (imbalanceIssues).
 */
export function readExpertHistogram(file: string): number[] {
  const text = readText(file, "imbalance");
  const tokens = text
    .split("\n")
    .map((line) => line.replace(/#.*/, ""))
    .join(" ")
    .replace(/[[\]]/g, " ")
    .split(/[\s,]+/)
    .filter((token) => token !== "");
  const bad = tokens.findIndex((token) => !Number.isFinite(Number(token)));
  if (bad >= 0) {
    throw new InputError([
      {
        code: "invalid-value",
        path: ["imbalance", "histogram", bad],
        file,
        message: `expected a token count per expert, got "${tokens[bad]}"`,
      },
    ]);
  }
  return tokens.map(Number);
}
