/** Average entries per bucket above which the next bucket is split. */
const maxAverageLoad = 16;
/**
 * Average entries per bucket below which the last split is undone. It is a quarter of the
 * maximum, so that a size near one boundary does not split and merge buckets in turn.
 */
const minAverageLoad = maxAverageLoad / 4;

/**
 * A map with string keys, spread by linear hashing over many small Maps (buckets) whose number
 * grows and shrinks with the size, so that a bucket contains 4 to 16 entries on average.
 *
 * The reason is the garbage collector. JavaScriptCore has no card marking: after a `set` on an
 * old Map, the next collection rescans every entry of that Map. With 600,000 pending challenges
 * in the memory store's plain Maps, the eden collection after a single create took 35 to 45 ms
 * instead of 0.04 ms (Bun 1.4.5, bench/breakdown/eden-rescan.ts). A concurrent cycle pays it again at each of its final
 * increments, because requests keep inserting while it runs. Here an insert makes the collector
 * rescan one small bucket: 1.4 ms after one create, 6.5 ms after 1,000. `delete` stores no
 * reference, so it adds nothing to rescan.
 *
 * NOTE: the buckets cost memory. At 100,000 pending challenges, RSS per challenge grew from
 * about 955 to 1,280 bytes (bench/memory/pending-memory.ts); a higher maxAverageLoad costs less
 * memory but makes the collector rescan more per insert.
 *
 * Iteration visits bucket after bucket, so it does not follow insertion order, unlike Map's.
 */
export class LinearHashMap<V> {
  private readonly buckets: Map<string, V>[] = [new Map()];
  /** The bucket count is between 2^level and 2^(level+1), with the buckets below `splitNext` already split. */
  private level = 0;
  private splitNext = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get bucketCount(): number {
    return this.buckets.length;
  }

  get(key: string): V | undefined {
    return this.bucketOf(key).get(key);
  }

  has(key: string): boolean {
    return this.bucketOf(key).has(key);
  }

  set(key: string, value: V): this {
    const bucket = this.bucketOf(key);
    const sizeBefore = bucket.size;
    bucket.set(key, value);
    if (bucket.size > sizeBefore) {
      this.count += 1;
      if (this.count > this.buckets.length * maxAverageLoad) this.splitNextBucket();
    }
    return this;
  }

  delete(key: string): boolean {
    if (!this.bucketOf(key).delete(key)) return false;
    this.count -= 1;
    if (this.buckets.length > 1 && this.count < this.buckets.length * minAverageLoad) this.mergeLastBucket();
    return true;
  }

  *values(): IterableIterator<V> {
    for (const bucket of this.buckets) yield* bucket.values();
  }

  private bucketOf(key: string): Map<string, V> {
    const hash = hashString(key);
    let index = hash & ((1 << this.level) - 1);
    if (index < this.splitNext) index = hash & ((2 << this.level) - 1);
    return this.buckets[index] as Map<string, V>;
  }

  /** Splits bucket `splitNext` by the next hash bit: the entries with that bit set go to a new last bucket. */
  private splitNextBucket(): void {
    const source = this.buckets[this.splitNext] as Map<string, V>;
    const staying = new Map<string, V>();
    const moved = new Map<string, V>();
    const mask = (2 << this.level) - 1;
    for (const [key, value] of source) {
      if ((hashString(key) & mask) === this.splitNext) staying.set(key, value);
      else moved.set(key, value);
    }
    this.buckets[this.splitNext] = staying;
    this.buckets.push(moved);

    this.splitNext += 1;
    if (this.splitNext === 1 << this.level) {
      this.level += 1;
      this.splitNext = 0;
    }
  }

  /** Undoes the last split: the last bucket goes back into the bucket it was split from. */
  private mergeLastBucket(): void {
    if (this.splitNext === 0) {
      this.level -= 1;
      this.splitNext = 1 << this.level;
    }
    this.splitNext -= 1;

    const source = this.buckets.pop() as Map<string, V>;
    const target = this.buckets[this.splitNext] as Map<string, V>;
    for (const [key, value] of source) target.set(key, value);
  }
}

/**
 * 32-bit FNV-1a over the UTF-16 code units. Keys can come from API clients (client_id), and keys
 * made to collide only put more entries into one bucket: lookups stay as fast as Map's, and only
 * the collector rescans that bucket more.
 */
function hashString(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
