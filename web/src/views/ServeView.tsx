import type { ServeSummary } from "../../../src/core/sim/serve/metrics.ts";
import { Chart } from "../components/Chart.tsx";
import { DataTable } from "../components/DataTable.tsx";
import type { Table } from "../engine/protocol.ts";
import { Metric } from "./StepView.tsx";

export interface ServeData {
  readonly json: ServeSummary & {
    kvTokensPerReplica: Record<string, number>;
    warnings: readonly string[];
  };
  readonly label: string;
  readonly charts: { cdf: object; throughput: object; timeline: object };
  readonly requests: Table;
}

const statsRows = (s: ServeSummary) =>
  (
    [
      ["queueing", s.queue],
      ["TTFT", s.ttft],
      ["TPOT", s.tpot],
      ["inter-token", s.itl],
      ["end-to-end", s.e2e],
    ] as const
  ).map(([name, x]) => [name, x.meanMs, x.p50Ms, x.p90Ms, x.p99Ms, x.maxMs]);

/** A request-level serving run: latency percentiles and CDFs, throughput over time, a timeline of requests. */
export function ServeView({ data }: { data: ServeData }) {
  const s = data.json;
  return (
    <div class="view">
      <p class="lede">{data.label}</p>
      <div class="metrics">
        <Metric name="requestsPerSec" label="Requests/s" value={s.requestsPerSec} digits={2} unit="req/s" />
        <Metric
          name="outputTokensPerSec"
          label="Output tokens/s"
          value={s.outputTokensPerSec}
          digits={0}
          unit="tok/s"
        />
        <Metric
          name="outputTokensPerSecPerGpu"
          label="Output tokens/s per GPU"
          value={s.outputTokensPerSecPerGpu}
          digits={1}
          unit="tok/s"
        />
        <Metric name="ttftP50Ms" label="TTFT p50" value={s.ttft.p50Ms} digits={1} unit="ms" />
        <Metric name="tpotP50Ms" label="TPOT p50" value={s.tpot.p50Ms} digits={2} unit="ms" />
        {s.goodput.slo.ttftMs !== undefined || s.goodput.slo.tpotMs !== undefined ? (
          <Metric
            name="goodputFraction"
            label="Meets the SLOs"
            value={s.goodput.fraction * 100}
            digits={1}
            unit="%"
          />
        ) : null}
      </div>
      {s.warnings.map((w) => (
        <p class="warning" key={w}>
          {w}
        </p>
      ))}
      <p class="hint">
        TTFT counts from arrival (queueing included) to the first token; TPOT is a request's (completion −
        first token) / (output tokens − 1); inter-token latency is every gap between tokens.
      </p>
      <DataTable
        name="serve-latency"
        caption="Latency (ms), as llmsim serve prints it"
        head={["latency (ms)", "mean", "p50", "p90", "p99", "max"]}
        rows={statsRows(s)}
        format={(v) => v.toFixed(2)}
        filterable={false}
      />
      <Chart
        spec={data.charts.cdf}
        name="latency-cdf"
        label="TTFT, TPOT and end-to-end latency distributions (CDF)"
      />
      <Chart spec={data.charts.throughput} name="throughput" label="Throughput over time" />
      <Chart
        spec={data.charts.timeline}
        name="timeline"
        label="Timeline of the first 300 requests: queued, prefill, decode"
      />
      <DataTable
        name="serve-pools"
        caption="Pools"
        head={[
          "pool",
          "role",
          "replicas",
          "GPUs",
          "utilisation",
          "iterations",
          "preemptions",
          "peak KV fraction",
        ]}
        rows={s.pools.map((p) => [
          p.name,
          p.role,
          p.replicas,
          p.gpus,
          p.utilization,
          p.iterations,
          p.preemptions,
          p.peakKvFraction,
        ])}
        filterable={false}
      />
      <DataTable
        name="serve-requests"
        caption="Requests (as llmsim serve --metrics-csv, ns)"
        head={data.requests.head}
        rows={data.requests.rows}
        format={(v) => String(v)}
      />
    </div>
  );
}
