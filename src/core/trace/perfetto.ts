import type { TraceSink } from "./sink.ts";

const num = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : "0");
const args = (values: Readonly<Record<string, number>>) =>
  `{${Object.entries(values)
    .map(([key, value]) => `${JSON.stringify(key)}:${num(value)}`)
    .join(",")}}`;

/**
 * A TraceSink that streams Chrome Trace Event JSON (opened by ui.perfetto.dev and chrome://tracing):
 * `{"traceEvents":[...],"displayTimeUnit":"ms"}`, events joined as they come. Times in µs.
 */
export function perfettoJsonSink(write: (chunk: string) => void): TraceSink & { end(): void } {
  let first = true;
  const emit = (json: string) => {
    write(first ? `{"traceEvents":[\n${json}` : `,\n${json}`);
    first = false;
  };
  return {
    processName: (pid, name) =>
      emit(`{"ph":"M","name":"process_name","pid":${pid},"args":{"name":${JSON.stringify(name)}}}`),
    threadName: (pid, tid, name) =>
      emit(
        `{"ph":"M","name":"thread_name","pid":${pid},"tid":${tid},"args":{"name":${JSON.stringify(name)}}}`,
      ),
    slice: (pid, tid, name, ts, dur, values) =>
      emit(
        `{"ph":"X","name":${JSON.stringify(name)},"pid":${pid},"tid":${tid},"ts":${num(ts)},"dur":${num(dur)},"args":${args(values)}}`,
      ),
    asyncBegin: (pid, id, name, ts) =>
      emit(
        `{"ph":"b","cat":"request","name":${JSON.stringify(name)},"id":${id},"pid":${pid},"tid":0,"ts":${num(ts)}}`,
      ),
    asyncEnd: (pid, id, name, ts) =>
      emit(
        `{"ph":"e","cat":"request","name":${JSON.stringify(name)},"id":${id},"pid":${pid},"tid":0,"ts":${num(ts)}}`,
      ),
    flowStart: (pid, tid, id, ts) =>
      emit(`{"ph":"s","cat":"kv","name":"kv transfer","id":${id},"pid":${pid},"tid":${tid},"ts":${num(ts)}}`),
    flowEnd: (pid, tid, id, ts) =>
      emit(
        `{"ph":"f","bp":"e","cat":"kv","name":"kv transfer","id":${id},"pid":${pid},"tid":${tid},"ts":${num(ts)}}`,
      ),
    counter: (pid, name, ts, values) =>
      emit(`{"ph":"C","name":${JSON.stringify(name)},"pid":${pid},"ts":${num(ts)},"args":${args(values)}}`),
    end: () => write(first ? `{"traceEvents":[],"displayTimeUnit":"ms"}\n` : `\n],"displayTimeUnit":"ms"}\n`),
  };
}
