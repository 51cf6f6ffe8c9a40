import type { ComponentDelta, StepComparison } from "../../../src/core/analysis/compare-steps.ts";
import type { StepResult } from "../../../src/core/step/result.ts";
import { Chart } from "../components/Chart.tsx";
import { DataTable } from "../components/DataTable.tsx";
import { Metric } from "./StepView.tsx";

export interface CompareData {
  readonly a: StepResult;
  readonly b: StepResult;
  readonly comparison: StepComparison;
  readonly chart: object;
}

const table = (rows: readonly ComponentDelta[]) => rows.map((r) => [r.component, r.aMs, r.bMs, r.deltaMs]);
const label = (r: StepResult) =>
  `${r.hardware.name}, tp ${r.parallel.tp} dp ${r.parallel.dp} ep ${r.parallel.ep}, batch ${r.workload.decode?.sequences ?? r.workload.prefill?.sequences}`;

/** Two scenarios side by side, and B minus A split over ops, blocks and resources. */
export function CompareView({ data }: { data: CompareData }) {
  const { a, b, comparison } = data;
  const head = ["component", "A ms", "B ms", "B - A ms"];
  return (
    <div class="view">
      <div class="compare-columns">
        {[
          ["A", a],
          ["B", b],
        ].map(([name, r]) => {
          const result = r as StepResult;
          return (
            <div class="side" key={name as string}>
              <h3>
                {name as string}: {label(result)}
              </h3>
              <div class="metrics">
                <Metric
                  name={`${name}-latencyMs`}
                  label="Step latency"
                  value={result.totals?.latencyMs ?? Number.NaN}
                  digits={3}
                  unit="ms"
                />
                <Metric
                  name={`${name}-tokensPerSecPerGpu`}
                  label="Tokens/s per GPU"
                  value={result.totals?.tokensPerSecPerGpu ?? Number.NaN}
                  digits={1}
                  unit="tok/s"
                />
                <Metric
                  name={`${name}-memoryGB`}
                  label="Memory per GPU"
                  value={result.memory.totalBytes / 1e9}
                  digits={2}
                  unit="GB"
                />
              </div>
            </div>
          );
        })}
      </div>
      <p class="lede">
        B − A ={" "}
        <strong data-metric="deltaMs" data-value={String(comparison.deltaMs)}>
          {comparison.deltaMs.toFixed(3)} ms
        </strong>{" "}
        per step. The per-op rows (plus the overlap row) add up to it.
      </p>
      <Chart spec={data.chart} name="compare" label="Where B's time differs from A's, per op" />
      <DataTable
        name="compare-ops"
        caption="By op (summed over layers and micro-batches)"
        head={head}
        rows={table(comparison.byOp)}
      />
      <DataTable
        name="compare-blocks"
        caption="By block kind (after overlap)"
        head={head}
        rows={table(comparison.byBlock)}
        filterable={false}
      />
      <DataTable
        name="compare-resources"
        caption="By resource (before overlap)"
        head={head}
        rows={table(comparison.byResource)}
        filterable={false}
      />
    </div>
  );
}
