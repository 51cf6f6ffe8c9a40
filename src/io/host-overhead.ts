import { InputError } from "../core/issues.ts";
import type { HostOverheadTable } from "../core/sim/host-overhead.ts";
import { CellReader, positiveInteger } from "./measurements/fields.ts";
import { readTableFile, type TableFile } from "./measurements/table-file.ts";

const FLAG = "--host-overhead-table";

/**
 * The per-iteration terms Vidur adds to a step (its `_get_cpu_overhead`): scheduling, sampling,
 * input preparation and output processing (medians) plus the unattributed worker glue it calls
 * ray_comm_time (only a mean is recorded).
 */
const OVERHEAD_COLUMNS = [
  "schedule_median",
  "sampler_e2e_median",
  "prepare_inputs_e2e_median",
  "process_model_outputs_median",
  "ray_comm_time_mean",
] as const;
const KEY_COLUMNS = ["model_name", "batch_size", "tensor_parallel_degree"] as const;
const REQUIRED = [...KEY_COLUMNS, ...OVERHEAD_COLUMNS];
/** Other columns of the file: the same timers' other statistics, launch-only timers, pandas' index. */
const TIMERS = [
  "schedule",
  "sampler_launch",
  "sampler_e2e",
  "prepare_inputs_launch",
  "prepare_inputs_e2e",
  "model_execution_launch",
  "model_execution_e2e",
  "process_model_outputs",
];
const knownExtra = (column: string) =>
  column === "" || TIMERS.some((t) => column === `${t}_mean` || column === `${t}_median`);

/**
 * Vidur's cpu_overheads.csv (one row per model, batch size and TP degree, ms) as one curve per
 * (model, TP): the sum of the overhead terms against batch size; repeated batch sizes are averaged.
 */
export function vidurHostOverheads(table: TableFile, flag = FLAG): HostOverheadTable {
  const cells = new CellReader(table);
  if (!cells.checkColumns(REQUIRED, knownExtra, [...REQUIRED, "<timer>_mean", "<timer>_median"]))
    throw new InputError(cells.issues);
  const groups = new Map<string, { model: string; tp: number; sums: Map<number, [number, number]> }>();
  for (let row = 0; row < table.rows.length && !cells.full(); row++) {
    const model = cells.text(row, "model_name");
    const batch = cells.number(row, "batch_size", positiveInteger, "a positive integer");
    const tp = cells.number(row, "tensor_parallel_degree", positiveInteger, "a positive integer");
    let ms = 0;
    for (const column of OVERHEAD_COLUMNS)
      ms += cells.number(row, column, (v) => v >= 0, "a time in ms, zero or more");
    if (model === "")
      cells.issues.push({
        code: "missing-field",
        path: ["model_name"],
        file: table.file,
        line: row + 2,
        column: table.columns.indexOf("model_name") + 1,
        message: "empty model name",
      });
    if (cells.issues.length > 0) continue;
    const key = `${model}\u0000${tp}`;
    let group = groups.get(key);
    if (!group) {
      group = { model, tp, sums: new Map() };
      groups.set(key, group);
    }
    const [sum, count] = group.sums.get(batch) ?? [0, 0];
    group.sums.set(batch, [sum + ms, count + 1]);
  }
  if (cells.issues.length > 0) throw new InputError(cells.issues);
  if (groups.size === 0)
    throw new InputError([
      {
        code: "invalid-file",
        path: [flag],
        file: table.file,
        message: "no rows: the file holds no measurements",
      },
    ]);
  const name = table.file.split(/[\\/]/).pop();
  const curves = [...groups.values()].map(({ model, tp, sums }) => {
    const batches = [...sums.keys()].sort((a, b) => a - b);
    return {
      model,
      tp,
      curve: {
        batchSeqs: Float64Array.from(batches),
        ms: Float64Array.from(batches, (b) => {
          const [sum, count] = sums.get(b) as [number, number];
          return sum / count;
        }),
        label: `Vidur ${name}, ${model} TP${tp}`,
      },
    };
  });
  return { file: table.file, curves };
}

/** The host-overhead curves of a Vidur cpu_overheads.csv (or .csv.gz / Parquet) given to `flag`. */
export async function readHostOverheadTable(file: string, flag = FLAG): Promise<HostOverheadTable> {
  return vidurHostOverheads(await readTableFile(file, flag), flag);
}
