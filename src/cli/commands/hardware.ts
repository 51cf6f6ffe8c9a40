import type { Command } from "@commander-js/extra-typings";
import type { AcceleratorRecord } from "../../core/hardware/types.ts";
import { InputError } from "../../core/issues.ts";
import { loadHardwareRegistry } from "../../io/hardware.ts";
import { renderCsv, renderJson, renderTable } from "../format/table.ts";
import { outputFormat } from "../options.ts";

const blank = (value: number | undefined): string => (value === undefined ? "" : String(value));

const COLUMNS: readonly [string, (r: AcceleratorRecord) => string][] = [
  ["name", (r) => r.name],
  ["vendor", (r) => r.vendor ?? ""],
  ["bf16 TFLOPS", (r) => blank(r.denseTflops?.bf16)],
  ["fp8 TFLOPS", (r) => blank(r.denseTflops?.fp8)],
  ["fp4 TFLOPS", (r) => blank(r.denseTflops?.fp4)],
  ["HBM GB", (r) => blank(r.hbmGB)],
  ["HBM GB/s", (r) => blank(r.hbmBandwidthGBps)],
  ["scale-up GB/s", (r) => blank(r.scaleUp?.bandwidthGBps)],
  ["domain GPUs", (r) => blank(r.scaleUp?.domainGpus)],
  ["scale-out GB/s", (r) => blank(r.scaleOut?.bandwidthGBps)],
  ["$/GPU-h", (r) => blank(r.priceUsdPerGpuHour)],
];

/** Field paths and values of a record, for the detail view. */
function figures(record: AcceleratorRecord): [string, string][] {
  const rows: [string, string][] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key === "sources" || key === "name" || key === "notes") continue;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value))
        rows.push([`${key}.${inner}`, String(innerValue)]);
    } else rows.push([key, Array.isArray(value) ? value.join(", ") : String(value)]);
  }
  return rows;
}

export function registerHardware(program: Command): void {
  program
    .command("hardware")
    .description("List the accelerator catalog, or show one accelerator with the source of every figure")
    .argument("[name]", "accelerator or cluster name or alias (e.g. H100, GB200-NVL72)")
    .option("--hardware-file <files...>", "YAML/JSON files with extra accelerators and clusters")
    .option("--json", "machine-readable JSON on stdout")
    .option("--csv", "CSV on stdout")
    .action((name, options) => {
      const registry = loadHardwareRegistry(options.hardwareFile ?? []);
      const format = outputFormat(options);
      if (name === undefined) {
        const records = registry.list();
        if (format === "json") return void process.stdout.write(renderJson(records));
        const head = COLUMNS.map(([title]) => title);
        const rows = records.map((record) => COLUMNS.map(([, get]) => get(record)));
        process.stdout.write(format === "csv" ? renderCsv(head, rows) : `${renderTable(head, rows)}\n`);
        return;
      }
      const resolved = registry.resolve(name);
      if (!resolved.ok) throw new InputError(resolved.issues);
      const record = resolved.record;
      if (format === "json") return void process.stdout.write(renderJson(record));
      const rows = figures(record).map(([field, value]) => [field, value, record.sources?.[field] ?? ""]);
      if (format === "csv") return void process.stdout.write(renderCsv(["field", "value", "source"], rows));
      process.stdout.write(`${record.name}${record.vendor ? ` (${record.vendor})` : ""}\n`);
      process.stdout.write(
        `${rows.map(([field, value, source]) => `  ${field} = ${value}${source ? `\n      source: ${source}` : ""}`).join("\n")}\n`,
      );
      if (record.notes) process.stdout.write(`  notes: ${record.notes}\n`);
    });
}
