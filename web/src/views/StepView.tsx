import { describeWeights } from "../../../src/core/step/dtypes.ts";
import type { StepResult } from "../../../src/core/step/result.ts";
import { Chart } from "../components/Chart.tsx";
import { DataTable } from "../components/DataTable.tsx";
import type { Table } from "../engine/protocol.ts";

export interface StepData {
  readonly result: StepResult;
  readonly layers: Table;
  readonly ops: Table;
  readonly charts: { breakdown?: object; roofline?: object; memory: object };
}

const gb = (bytes: number) => (bytes / 1e9).toFixed(2);

/** One headline figure; data-value keeps the engine's full-precision number (tests compare it with the CLI). */
export function Metric({
  name,
  label,
  value,
  digits,
  unit,
}: {
  name: string;
  label: string;
  value: number;
  digits: number;
  unit: string;
}) {
  return (
    <div class="metric" data-metric={name} data-value={String(value)}>
      <span class="metric-label">{label}</span>
      <span class="metric-value">
        {value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })}
        <small> {unit}</small>
      </span>
    </div>
  );
}

export function StepView({ data }: { data: StepData }) {
  const { result } = data;
  const t = result.totals;
  const m = result.memory;
  const p = result.parallel;
  return (
    <div class="view">
      <p class="lede">
        {result.model.id} on {result.hardware.name}: tp {p.tp}, pp {p.pp}, dp {p.dp}, ep {p.ep} = {p.gpus}{" "}
        GPUs per replica; weights {describeWeights(result.dtypes)}, KV {result.dtypes.kvCache}; overlap{" "}
        {result.overlap}; predictor {result.predictor}
      </p>
      <div class="metrics">
        {t ? (
          <>
            <Metric name="latencyMs" label="Step latency" value={t.latencyMs} digits={3} unit="ms" />
            <Metric
              name="tokensPerSecPerGpu"
              label="Tokens/s per GPU"
              value={t.tokensPerSecPerGpu}
              digits={1}
              unit="tok/s"
            />
            <Metric
              name="tokensPerSecPerReplica"
              label="Tokens/s per replica"
              value={t.tokensPerSecPerReplica}
              digits={0}
              unit="tok/s"
            />
            <Metric
              name="achievedTflopsPerGpu"
              label="Achieved per GPU"
              value={t.achievedTflopsPerGpu}
              digits={1}
              unit="TFLOP/s"
            />
            <Metric name="exposedCommMs" label="Exposed comm" value={t.exposedCommMs} digits={3} unit="ms" />
          </>
        ) : null}
        <Metric
          name="memoryGB"
          label="Memory per GPU"
          value={m.totalBytes / 1e9}
          digits={2}
          unit={`of ${gb(m.usableBytes)} GB usable`}
        />
      </div>
      {!t ? (
        <p class="warning" role="status">
          Does not fit: weights {gb(m.weightsBytes)} GB + KV cache {gb(m.kvCacheBytes)} GB + activations{" "}
          {gb(m.activationsBytes)} GB = {gb(m.totalBytes)} GB of {gb(m.usableBytes)} GB usable. Add GPUs,
          shrink the batch or context, or tick “simulate even if it does not fit”.
        </p>
      ) : null}
      {result.warnings.map((w) => (
        <p class="warning" key={w}>
          {w}
        </p>
      ))}
      <Chart spec={data.charts.memory} name="memory" label="Memory per GPU against capacity" />
      {data.charts.breakdown ? (
        <Chart
          spec={data.charts.breakdown}
          name="breakdown"
          label="Per-layer compute, memory and communication (tick: time after overlap)"
        />
      ) : null}
      {data.charts.roofline ? (
        <Chart
          spec={data.charts.roofline}
          name="roofline"
          label="Roofline: every op on the accelerator's roofs"
        />
      ) : null}
      {t ? (
        <>
          <DataTable
            name="layers"
            caption="Layers (as llmsim step --csv)"
            head={data.layers.head}
            rows={data.layers.rows}
          />
          <DataTable
            name="ops"
            caption="Ops of every layer, with the bound (as llmsim step --ops --csv)"
            head={data.ops.head}
            rows={data.ops.rows}
            pageSize={100}
          />
        </>
      ) : null}
    </div>
  );
}
