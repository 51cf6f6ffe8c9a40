import { useMemo } from "preact/hooks";
import type { EpDecodeRow } from "../../../src/core/analysis/ep-decode.ts";
import { epCellStyler, epCellText } from "../../../src/core/report/ep-report.ts";
import { DataTable } from "../components/DataTable.tsx";
import { SelectField, type Update } from "../components/Fields.tsx";
import type { State } from "../state.ts";

export interface DecodeData {
  readonly columns: readonly string[];
  readonly rows: readonly EpDecodeRow[];
  readonly summary: readonly EpDecodeRow[];
}

/** Seed 000's EP decode table: ShallowSim's columns and styling (bars on TPS and Total, red Delta, Comm_Impact gradient). */
export function DecodeView({ data, state, update }: { data: DecodeData; state: State; update: Update }) {
  const rows = state.decodeView === "summary" ? data.summary : data.rows;
  const styler = useMemo(() => epCellStyler(rows), [rows]);
  const cells = useMemo(
    () => rows.map((row) => data.columns.map((c) => row[c as keyof EpDecodeRow] as string | number)),
    [rows, data.columns],
  );
  return (
    <div class="view">
      <div class="row">
        <SelectField
          state={state}
          update={update}
          field="decodeView"
          label="Rows"
          options={[
            ["table", `every configuration (${data.rows.length})`],
            ["summary", `best per GPU and batch size (${data.summary.length})`],
          ]}
        />
      </div>
      <DataTable
        name="decode"
        caption={`EP decode, ${state.preset} physics, seq_len ${state.seqLen || 4383}`}
        head={data.columns}
        rows={cells}
        format={(value, column) => epCellText(column, value)}
        filter={state.decodeFilter}
        onFilter={(decodeFilter) => update({ decodeFilter })}
        sort={state.decodeSort}
        onSort={(decodeSort) => update({ decodeSort })}
        cellStyle={(value, column) =>
          typeof value === "number" ? styler(column, value) || undefined : undefined
        }
      />
    </div>
  );
}
