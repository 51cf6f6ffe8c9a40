/**
 * What a simulation reports for a timeline (Chrome/Perfetto trace events), in µs. The core calls
 * these; a writer in the shell turns them into JSON on disk, so a large run never holds its trace.
 */
export interface TraceSink {
  processName(pid: number, name: string): void;
  threadName(pid: number, tid: number, name: string): void;
  /** A complete slice on (pid, tid). */
  slice(
    pid: number,
    tid: number,
    name: string,
    tsUs: number,
    durUs: number,
    args: Readonly<Record<string, number>>,
  ): void;
  /** An async span (overlapping lifetimes, e.g. requests), begin and end matched by id. */
  asyncBegin(pid: number, id: number, name: string, tsUs: number): void;
  asyncEnd(pid: number, id: number, name: string, tsUs: number): void;
  /** A flow arrow from one slice to another (e.g. a KV-cache hand-off), matched by id. */
  flowStart(pid: number, tid: number, id: number, tsUs: number): void;
  flowEnd(pid: number, tid: number, id: number, tsUs: number): void;
  counter(pid: number, name: string, tsUs: number, values: Readonly<Record<string, number>>): void;
}
