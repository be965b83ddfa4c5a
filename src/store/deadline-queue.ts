/**
 * Runs callbacks at their deadlines with a single timer for the whole queue: a binary min-heap
 * orders the deadlines and one `setTimeout` is armed for the earliest. One timer per entry would
 * cost hundreds of bytes each and slow down scheduling at a million entries.
 *
 * Entries cannot be removed; callers check when an entry fires whether it still applies.
 */
export class DeadlineQueue<T> {
  private readonly deadlines: number[] = [];
  private readonly items: T[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private armedFor = Infinity;
  private closed = false;

  constructor(private readonly onDue: (item: T) => void) {}

  get size(): number {
    return this.items.length;
  }

  /** Schedules `item` for `deadline` (epoch milliseconds). */
  push(deadline: number, item: T): void {
    if (this.closed) return;
    this.deadlines.push(deadline);
    this.items.push(item);
    this.siftUp(this.items.length - 1);
    if (deadline < this.armedFor) this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.deadlines.length = 0;
    this.items.length = 0;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
    const next = this.deadlines[0];
    if (next === undefined) return;

    // setTimeout takes at most 2^31-1 ms; a later deadline re-arms when that timer fires.
    const delay = Math.min(Math.max(next - Date.now(), 0), 2_147_483_647);
    this.armedFor = next;
    this.timer = setTimeout(() => this.runDue(), delay);
    this.timer.unref?.();
  }

  private runDue(): void {
    this.timer = null;
    this.armedFor = Infinity;
    const now = Date.now();
    while (this.deadlines.length > 0 && (this.deadlines[0] as number) <= now) {
      const item = this.popMin();
      this.onDue(item);
    }
    this.arm();
  }

  private popMin(): T {
    const top = this.items[0] as T;
    const lastDeadline = this.deadlines.pop() as number;
    const lastItem = this.items.pop() as T;
    if (this.items.length > 0) {
      this.deadlines[0] = lastDeadline;
      this.items[0] = lastItem;
      this.siftDown(0);
    }
    return top;
  }

  private siftUp(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((this.deadlines[parent] as number) <= (this.deadlines[index] as number)) return;
      this.swap(index, parent);
      index = parent;
    }
  }

  private siftDown(index: number): void {
    const length = this.deadlines.length;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < length && (this.deadlines[left] as number) < (this.deadlines[smallest] as number)) smallest = left;
      if (right < length && (this.deadlines[right] as number) < (this.deadlines[smallest] as number)) smallest = right;
      if (smallest === index) return;
      this.swap(index, smallest);
      index = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const deadline = this.deadlines[a] as number;
    this.deadlines[a] = this.deadlines[b] as number;
    this.deadlines[b] = deadline;
    const item = this.items[a] as T;
    this.items[a] = this.items[b] as T;
    this.items[b] = item;
  }
}
