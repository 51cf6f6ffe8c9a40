import { Chart } from "../components/Chart.tsx";
import { DataTable } from "../components/DataTable.tsx";
import type { Table } from "../engine/protocol.ts";

export interface PlanData {
  readonly report: string;
  readonly recommended: {
    candidate: { description: string; tokensPerSecPerGpu: number };
    reasons: readonly string[];
  } | null;
  readonly noneMeets: string | null;
  readonly chart: object | null;
  readonly fronts: Table;
}

/** The planner: the recommended deployment and why it won, the Pareto fronts, and the CLI's report. */
export function PlanView({ data }: { data: PlanData }) {
  return (
    <div class="view">
      {data.recommended ? (
        <section
          class="recommended"
          data-metric="recommended"
          data-value={data.recommended.candidate.description}
        >
          <h3>Recommended: {data.recommended.candidate.description}</h3>
          <ul>
            {data.recommended.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
        </section>
      ) : (
        <p class="warning" role="status">
          {data.noneMeets}
        </p>
      )}
      {data.chart ? (
        <Chart
          spec={data.chart}
          name="pareto"
          label="Pareto front: throughput per GPU against tokens/s per user (recommended ringed)"
        />
      ) : null}
      <DataTable
        name="plan-fronts"
        caption="Pareto fronts (as llmsim plan --csv)"
        head={data.fronts.head}
        rows={data.fronts.rows}
      />
      <details>
        <summary>The CLI's report</summary>
        <pre class="report">{data.report}</pre>
      </details>
    </div>
  );
}
