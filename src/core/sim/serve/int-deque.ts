/** A double-ended queue of integers on a growable ring buffer (request ids waiting for a replica). */
export class IntDeque {
  private items = new Int32Array(64);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  private grow(): void {
    const next = new Int32Array(this.items.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) % this.items.length] as number;
    this.items = next;
    this.head = 0;
  }

  pushBack(value: number): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) % this.items.length] = value;
    this.count++;
  }

  pushFront(value: number): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1 + this.items.length) % this.items.length;
    this.items[this.head] = value;
    this.count++;
  }

  /** The first value (undefined behaviour when empty: check `length`). */
  front(): number {
    return this.items[this.head] as number;
  }

  popFront(): number {
    const value = this.items[this.head] as number;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return value;
  }
}
