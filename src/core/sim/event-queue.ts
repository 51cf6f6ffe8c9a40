/**
 * A min-heap of events ordered by (time, priority, sequence number): ties in time resolve by
 * priority, then by insertion order, so a simulation is deterministic. Events carry two integers
 * (kind, target). Typed arrays, grown by doubling; no allocation per event once warm.
 */
export class EventQueue {
  private time = new Float64Array(1024);
  private priority = new Int32Array(1024);
  private seq = new Float64Array(1024);
  private kind = new Int32Array(1024);
  private target = new Int32Array(1024);
  private heap = new Int32Array(1024);
  private free: number[] = [];
  private slots = 0;
  private size = 0;
  private counter = 0;

  get length(): number {
    return this.size;
  }

  private grow(): void {
    const capacity = this.time.length * 2;
    const copy = <T extends Float64Array | Int32Array>(array: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(array);
      return next;
    };
    this.time = copy(this.time, (n) => new Float64Array(n));
    this.priority = copy(this.priority, (n) => new Int32Array(n));
    this.seq = copy(this.seq, (n) => new Float64Array(n));
    this.kind = copy(this.kind, (n) => new Int32Array(n));
    this.target = copy(this.target, (n) => new Int32Array(n));
    this.heap = copy(this.heap, (n) => new Int32Array(n));
  }

  private less(a: number, b: number): boolean {
    const ta = this.time[a] as number;
    const tb = this.time[b] as number;
    if (ta !== tb) return ta < tb;
    const pa = this.priority[a] as number;
    const pb = this.priority[b] as number;
    if (pa !== pb) return pa < pb;
    return (this.seq[a] as number) < (this.seq[b] as number);
  }

  push(time: number, priority: number, kind: number, target: number): void {
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.slots === this.time.length) this.grow();
      slot = this.slots++;
    }
    this.time[slot] = time;
    this.priority[slot] = priority;
    this.seq[slot] = this.counter++;
    this.kind[slot] = kind;
    this.target[slot] = target;
    const heap = this.heap;
    let i = this.size++;
    heap[i] = slot;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(slot, heap[parent] as number)) break;
      heap[i] = heap[parent] as number;
      i = parent;
    }
    heap[i] = slot;
  }

  /** Time of the next event (Infinity when empty). */
  peekTime(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : (this.time[this.heap[0] as number] as number);
  }

  /** Removes the next event; its fields are then readable from `lastTime`, `lastKind`, `lastTarget`. */
  pop(): boolean {
    if (this.size === 0) return false;
    const heap = this.heap;
    const top = heap[0] as number;
    this.lastTime = this.time[top] as number;
    this.lastKind = this.kind[top] as number;
    this.lastTarget = this.target[top] as number;
    this.free.push(top);
    const last = heap[--this.size] as number;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child =
        right < this.size && this.less(heap[right] as number, heap[left] as number) ? right : left;
      if (!this.less(heap[child] as number, last)) break;
      heap[i] = heap[child] as number;
      i = child;
    }
    heap[i] = last;
    return true;
  }

  lastTime = 0;
  lastKind = 0;
  lastTarget = 0;
}
