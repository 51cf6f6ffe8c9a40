import { DataTable } from "../components/DataTable.tsx";
import type { Table } from "../engine/protocol.ts";

export interface PrefillData {
  readonly detail: Table;
  readonly summary: Table;
  readonly seqLen: number;
  readonly tp: number;
  readonly dp: number;
}

const six = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(6));
const three = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(3));

/** Seed 001's prefill tables: ms per layer per item, and the whole-prefill summary, one column per GPU. */
export function PrefillView({ data }: { data: PrefillData }) {
  return (
    <div class="view">
      <DataTable
        name="prefill"
        caption={`Prefill per layer (ms), seq_len ${data.seqLen}, tp ${data.tp}, dp ${data.dp}`}
        head={data.detail.head}
        rows={data.detail.rows}
        format={six}
        filterable={false}
      />
      <DataTable
        name="prefill-summary"
        caption="Summary (ms for the whole prefill; tokens/s per GPU)"
        head={data.summary.head}
        rows={data.summary.rows}
        format={three}
        filterable={false}
      />
    </div>
  );
}
