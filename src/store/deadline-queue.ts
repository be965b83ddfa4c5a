const initialCapacity = 1024;

/**
 * Runs callbacks at their deadlines with a single timer for the whole queue: a binary min-heap
 * orders the deadlines and one `setTimeout` is armed for the earliest. One timer per entry would
 * cost hundreds of bytes each and slow down scheduling at a million entries.
 *
 * The heap is kept in parallel arrays (deadlines in a Float64Array, a one-byte tag per entry in
 * a Uint8Array, items in a plain array), so an entry costs about 17 bytes and no object of its
 * own. Callers that would otherwise wrap an item in `{ kind, id }` pass the kind as the tag.
 *
 * Entries cannot be removed; callers check when an entry fires whether it still applies.
 */
export class DeadlineQueue<T> {
  private deadlines = new Float64Array(initialCapacity);
  private tags = new Uint8Array(initialCapacity);
  private items: (T | undefined)[] = [];
  private length = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private armedFor = Infinity;
  private closed = false;

  constructor(private readonly onDue: (item: T, tag: number) => void) {}

  get size(): number {
    return this.length;
  }

  /** Schedules `item` for `deadline` (epoch milliseconds); `tag` (0 to 255) is passed back with it. */
  push(deadline: number, item: T, tag = 0): void {
    if (this.closed) return;
    if (this.length === this.deadlines.length) this.resize(this.deadlines.length * 2);
    const index = this.length;
    this.length += 1;
    this.deadlines[index] = deadline;
    this.tags[index] = tag;
    this.items[index] = item;
    this.siftUp(index);
    if (deadline < this.armedFor) this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.length = 0;
    this.items = [];
    this.resize(initialCapacity);
  }

  private resize(capacity: number): void {
    const deadlines = new Float64Array(capacity);
    deadlines.set(this.deadlines.subarray(0, this.length));
    this.deadlines = deadlines;
    const tags = new Uint8Array(capacity);
    tags.set(this.tags.subarray(0, this.length));
    this.tags = tags;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
    if (this.length === 0) return;

    // setTimeout takes at most 2^31-1 ms; a later deadline re-arms when that timer fires.
    const next = this.deadlines[0] as number;
    const delay = Math.min(Math.max(next - Date.now(), 0), 2_147_483_647);
    this.armedFor = next;
    this.timer = setTimeout(() => this.runDue(), delay);
    this.timer.unref?.();
  }

  private runDue(): void {
    this.timer = null;
    this.armedFor = Infinity;
    const now = Date.now();
    while (this.length > 0 && (this.deadlines[0] as number) <= now) {
      const tag = this.tags[0] as number;
      const item = this.popMin();
      this.onDue(item, tag);
    }
    this.shrinkWhenSparse();
    this.arm();
  }

  /** Gives memory back after a large batch expired: the arrays never use less than a quarter. */
  private shrinkWhenSparse(): void {
    const capacity = this.deadlines.length;
    if (capacity > initialCapacity && this.length < capacity / 4) {
      this.resize(Math.max(initialCapacity, capacity / 2));
      // A new array drops the old backing store; setting `length` alone may keep it.
      this.items = this.items.slice(0, this.length);
    }
  }

  private popMin(): T {
    const top = this.items[0] as T;
    const last = this.length - 1;
    this.length = last;
    if (last > 0) {
      this.deadlines[0] = this.deadlines[last] as number;
      this.tags[0] = this.tags[last] as number;
      this.items[0] = this.items[last];
    }
    this.items[last] = undefined;
    if (last > 0) this.siftDown(0);
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
    const length = this.length;
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
    const tag = this.tags[a] as number;
    this.tags[a] = this.tags[b] as number;
    this.tags[b] = tag;
    const item = this.items[a];
    this.items[a] = this.items[b];
    this.items[b] = item;
  }
}
