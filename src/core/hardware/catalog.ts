import catalogFile from "../../data/hardware/accelerators.json" with { type: "json" };
import type { Issue } from "../issues.ts";
import { closestNames } from "../text/suggest.ts";
import type { AcceleratorRecord } from "./types.ts";

/** Built-in accelerators (src/data/hardware/accelerators.json; every figure has a source). */
export const BUILTIN_ACCELERATORS: readonly AcceleratorRecord[] = (
  catalogFile as { accelerators: AcceleratorRecord[] }
).accelerators;

const normalize = (name: string) => name.toLowerCase().replace(/[\s_]+/g, "-");

/** A lookup over accelerator records by name or alias, case-insensitive. */
export class HardwareRegistry {
  private readonly byName = new Map<string, AcceleratorRecord>();
  private readonly records: AcceleratorRecord[] = [];

  constructor(records: readonly AcceleratorRecord[] = BUILTIN_ACCELERATORS) {
    for (const record of records) this.add(record);
  }

  /** Adds or replaces a record (user files override built-ins of the same name). */
  add(record: AcceleratorRecord): void {
    const existing = this.byName.get(normalize(record.name));
    if (existing) this.records.splice(this.records.indexOf(existing), 1);
    this.records.push(record);
    for (const key of [record.name, ...(record.aliases ?? [])]) this.byName.set(normalize(key), record);
  }

  get(name: string): AcceleratorRecord | undefined {
    return this.byName.get(normalize(name));
  }

  list(): readonly AcceleratorRecord[] {
    return this.records;
  }

  /** The record, or an issue naming the closest known names. */
  resolve(
    name: string,
    path: readonly (string | number)[] = ["hardware"],
  ): { ok: true; record: AcceleratorRecord } | { ok: false; issues: Issue[] } {
    const record = this.get(name);
    if (record) return { ok: true, record };
    const names = this.records.flatMap((r) => [r.name, ...(r.aliases ?? [])]);
    return {
      ok: false,
      issues: [
        {
          code: "unknown-id",
          path,
          message: `unknown accelerator "${name}"; see \`llmsim hardware\` for the catalog, or pass --hardware-file`,
          allowed: closestNames(name, names),
        },
      ],
    };
  }
}
