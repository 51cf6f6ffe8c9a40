import { Chart } from "../components/Chart.tsx";
import { DataTable } from "../components/DataTable.tsx";
import type { Table } from "../engine/protocol.ts";

export function SweepView({ data }: { data: { chart: object; table: Table } }) {
  return (
    <div class="view">
      <Chart
        spec={data.chart}
        name="sweep"
        label="Best configuration's metric against the swept input, per GPU"
      />
      <DataTable
        name="sweep"
        caption="Rows kept at each value (as decode-sweep --sweep --csv)"
        head={data.table.head}
        rows={data.table.rows}
      />
    </div>
  );
}
