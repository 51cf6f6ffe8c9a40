import { InputError, type Issue } from "../core/issues.ts";
import { specHash } from "../core/plan/space.ts";
import type { PlanSpec } from "../core/plan/spec.ts";
import type { PlanSummary } from "../core/plan/summary.ts";
import { parseJsonText, readText } from "./files.ts";

export const SHARD_KIND = "llmsim-plan-shard";

/** Shard file format version; bumped whenever what a shard holds changes meaning. */
export const SHARD_SCHEMA_VERSION = 2;

/** What `llmsim plan --shard I/N` writes: the sweep's spec and identity, which shard, and its summary. */
export interface ShardFile {
  readonly kind: typeof SHARD_KIND;
  readonly schemaVersion: typeof SHARD_SCHEMA_VERSION;
  readonly tool: string;
  readonly specHash: string;
  readonly shard: number;
  readonly shards: number;
  readonly spaceSize: number;
  readonly spec: PlanSpec;
  readonly summary: PlanSummary;
}

/** shard-0007-of-0064.json (zero-padded so a shell glob lists shards in order). */
export function shardFileName(shard: number, shards: number, extension = "json"): string {
  const width = Math.max(4, String(shards).length);
  return `shard-${String(shard).padStart(width, "0")}-of-${String(shards).padStart(width, "0")}.${extension}`;
}

/** Reads a shard file, checking that it is one and that its spec matches its hash. */
export function readShardFile(path: string): ShardFile {
  const data = parseJsonText(readText(path, "shard"), path);
  const file = data as Partial<ShardFile>;
  const bad = (message: string): never => {
    throw new InputError([{ code: "invalid-value", path: [], file: path, message }]);
  };
  if (file?.kind !== SHARD_KIND)
    bad("not a shard written by `llmsim plan --shard` (no kind: llmsim-plan-shard)");
  // Version 2: the spec's models carry unquantizedDtype; a version-1 shard was computed by an older
  // llmsim whose results need not match, so it is refused rather than merged.
  if (file.schemaVersion !== SHARD_SCHEMA_VERSION)
    bad(
      `shard schemaVersion ${String(file.schemaVersion)} is not supported (expected ${SHARD_SCHEMA_VERSION}; re-run the shards with this llmsim)`,
    );
  const { shard, shards } = file;
  if (
    !Number.isInteger(shards) ||
    (shards as number) < 1 ||
    !Number.isInteger(shard) ||
    (shard as number) < 0 ||
    (shard as number) >= (shards as number)
  )
    bad(`shard ${String(shard)} of ${String(shards)} is not a valid shard number`);
  if (!file.spec || !Array.isArray(file.summary?.groups) || !file.summary.counts)
    bad("the file has no spec or summary");
  const problem = summaryProblem(file.summary as PlanSummary);
  if (problem) bad(`the summary is damaged: ${problem}`);
  if (specHash(file.spec as PlanSpec) !== file.specHash)
    bad(`the spec does not match its hash ${String(file.specHash)} (edited or truncated?)`);
  return file as ShardFile;
}

/**
 * Checks that shards form one complete sweep: the same spec hash and shard count, every shard
 * once. Identical duplicates (a retried job) are dropped; returns the shards in order.
 */
export function completeShardSet(files: readonly { path: string; shard: ShardFile }[]): ShardFile[] {
  const issues: Issue[] = [];
  const first = files[0];
  if (!first)
    throw new InputError([{ code: "missing-field", path: ["shards"], message: "no shard files given" }]);
  const byIndex = new Map<number, { path: string; shard: ShardFile }>();
  for (const entry of files) {
    const { shard } = entry;
    if (shard.specHash !== first.shard.specHash || shard.shards !== first.shard.shards) {
      issues.push({
        code: "invalid-value",
        path: [],
        file: entry.path,
        message: `belongs to another sweep (spec ${shard.specHash}, ${shard.shards} shards; ${first.path} has ${first.shard.specHash}, ${first.shard.shards})`,
      });
      continue;
    }
    const seen = byIndex.get(shard.shard);
    if (seen && JSON.stringify(seen.shard.summary) !== JSON.stringify(shard.summary))
      issues.push({
        code: "invalid-value",
        path: [],
        file: entry.path,
        message: `shard ${shard.shard} also comes from ${seen.path} with different results`,
      });
    if (!seen) byIndex.set(shard.shard, entry);
  }
  // Count the missing shards without listing them all: a shard count may be in the billions.
  const missingCount = first.shard.shards - byIndex.size;
  if (missingCount > 0) {
    const firstMissing: number[] = [];
    for (let i = 0; firstMissing.length < 20 && i < first.shard.shards; i++)
      if (!byIndex.has(i)) firstMissing.push(i);
    issues.push({
      code: "missing-field",
      path: ["shards"],
      message: `${missingCount} of ${first.shard.shards} shards missing: ${firstMissing.join(", ")}${missingCount > 20 ? ", ..." : ""}`,
    });
  }
  if (issues.length > 0) throw new InputError(issues);
  return [...byIndex.keys()].sort((a, b) => a - b).map((i) => (byIndex.get(i) as { shard: ShardFile }).shard);
}

const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;
const CANDIDATE_NUMBERS = ["ttftMs", "tpotMs", "tokensPerSecPerGpu", "tokensPerSecPerUser", "gpus"] as const;

/** What is wrong with a shard's summary, or null: counts that are not counts, candidates without figures. */
function summaryProblem(summary: PlanSummary): string | null {
  if (!isCount(summary.evaluated)) return `evaluated ${JSON.stringify(summary.evaluated)} is not a count`;
  for (const [status, count] of Object.entries(summary.counts))
    if (!isCount(count)) return `counts.${status} ${JSON.stringify(count)} is not a count`;
  if (!Array.isArray(summary.best) || !Array.isArray(summary.closest))
    return "best and closest must be lists";
  if (
    !summary.groups.every(
      (group) => group !== null && typeof group === "object" && Array.isArray(group.front),
    )
  )
    return "every group needs a front list";
  const candidates: unknown[] = [
    ...summary.best,
    ...summary.closest,
    ...summary.groups.flatMap((group) => [...group.front, ...(group.best ? [group.best] : [])]),
  ];
  for (const entry of candidates) {
    if (entry === null || typeof entry !== "object") return `a configuration ${JSON.stringify(entry)}`;
    const candidate = entry as PlanSummary["best"][number];
    if (!isCount(candidate.index)) return `a configuration index ${JSON.stringify(candidate.index)}`;
    for (const key of CANDIDATE_NUMBERS) {
      const value = candidate[key] as unknown;
      if (value !== null && typeof value !== "number")
        return `configuration ${candidate.index}: ${key} ${JSON.stringify(value)} is not a number`;
    }
  }
  return null;
}
