/** Average entries per bucket above which the next bucket is split. */
const maxAverageLoad = 16;
/**
 * Average entries per bucket below which the last split is undone. It is a quarter of the
 * maximum, so that a size near one boundary does not split and merge buckets in turn.
 */
const minAverageLoad = maxAverageLoad / 4;
/**
 * Entries above which a bucket becomes a Map. Only keys made to collide fill a bucket this much,
 * and a Map keeps their lookups from scanning a long array.
 */
const arrayBucketLimit = 64;
/** Buckets per directory chunk. Adding a bucket writes into one chunk, never a long array. */
const chunkBits = 10;
const chunkMask = (1 << chunkBits) - 1;

/**
 * A bucket: up to `arrayBucketLimit` entries as one flat array of hash, key and value triples, or
 * a Map when more keys fall into it. A lookup compares the stored hashes first, which are numbers
 * inside the array, so that it reads no other key's string from memory.
 */
type Bucket<V> = Array<number | string | V> | Map<string, V>;

/**
 * A map with string keys, spread by linear hashing over many small buckets whose number grows
 * and shrinks with the size, so that a bucket contains 4 to 16 entries on average.
 *
 * The reason is the garbage collector. In our measurements, after one `set` on a Map that
 * survived earlier collections, JavaScriptCore's next collection revisits every entry of that
 * Map. With 600,000 pending challenges in plain Maps, the eden collection after a single create
 * took 35 to 45 ms instead of 0.04 ms (Bun 1.4.5, bench/breakdown/eden-rescan.ts). A concurrent
 * cycle pays that again at each of its final increments, because requests keep inserting while
 * it runs. Here an insert makes the collector revisit one small bucket array and, when the
 * insert adds a bucket, one directory chunk of 1,024 buckets.
 *
 * Buckets are flat arrays rather than small Maps, because a Map with a few entries costs about
 * 50 bytes more per entry than a large one. A lookup compares the hash with each hash in its
 * bucket, 16 on average, and a bucket that keys made to collide fill beyond 64 entries becomes a
 * Map.
 *
 * Iteration visits bucket after bucket, so it does not follow insertion order, unlike Map's.
 */
export class LinearHashMap<V> {
  private readonly chunks: Bucket<V>[][] = [[[]]];
  private bucketTotal = 1;
  /** The bucket count is between 2^level and 2^(level+1), with the buckets below `splitNext` already split. */
  private level = 0;
  private splitNext = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get bucketCount(): number {
    return this.bucketTotal;
  }

  get(key: string): V | undefined {
    const hash = hashString(key);
    const bucket = this.bucketAt(this.indexOf(hash));
    if (bucket instanceof Map) return bucket.get(key);
    const at = findInArray(bucket, hash, key);
    return at === -1 ? undefined : (bucket[at + 2] as V);
  }

  has(key: string): boolean {
    const hash = hashString(key);
    const bucket = this.bucketAt(this.indexOf(hash));
    if (bucket instanceof Map) return bucket.has(key);
    return findInArray(bucket, hash, key) !== -1;
  }

  set(key: string, value: V): this {
    const hash = hashString(key);
    if (this.setInBucket(this.indexOf(hash), hash, key, value)) {
      this.count += 1;
      if (this.count > this.bucketTotal * maxAverageLoad) this.splitNextBucket();
    }
    return this;
  }

  delete(key: string): boolean {
    const hash = hashString(key);
    const bucket = this.bucketAt(this.indexOf(hash));
    if (bucket instanceof Map) {
      if (!bucket.delete(key)) return false;
    } else if (!removeFromArray(bucket, hash, key)) {
      return false;
    }
    this.count -= 1;
    if (this.bucketTotal > 1 && this.count < this.bucketTotal * minAverageLoad) this.mergeLastBucket();
    return true;
  }

  *values(): IterableIterator<V> {
    for (const chunk of this.chunks) {
      for (const bucket of chunk) {
        if (bucket instanceof Map) {
          yield* bucket.values();
        } else {
          for (let i = 2; i < bucket.length; i += 3) yield bucket[i] as V;
        }
      }
    }
  }

  private indexOf(hash: number): number {
    const index = hash & ((1 << this.level) - 1);
    return index < this.splitNext ? hash & ((2 << this.level) - 1) : index;
  }

  private bucketAt(index: number): Bucket<V> {
    return (this.chunks[index >>> chunkBits] as Bucket<V>[])[index & chunkMask] as Bucket<V>;
  }

  private replaceBucket(index: number, bucket: Bucket<V>): void {
    (this.chunks[index >>> chunkBits] as Bucket<V>[])[index & chunkMask] = bucket;
  }

  /** Sets the entry in bucket `index` and returns true when the key was new. */
  private setInBucket(index: number, hash: number, key: string, value: V): boolean {
    const bucket = this.bucketAt(index);
    if (bucket instanceof Map) {
      const sizeBefore = bucket.size;
      bucket.set(key, value);
      return bucket.size > sizeBefore;
    }
    const at = findInArray(bucket, hash, key);
    if (at !== -1) {
      bucket[at + 2] = value;
      return false;
    }
    if (bucket.length < arrayBucketLimit * 3) {
      bucket.push(hash, key, value);
    } else {
      const map = toMap(bucket);
      map.set(key, value);
      this.replaceBucket(index, map);
    }
    return true;
  }

  private appendBucket(bucket: Bucket<V>): void {
    const chunkIndex = this.bucketTotal >>> chunkBits;
    if (chunkIndex === this.chunks.length) this.chunks.push([]);
    (this.chunks[chunkIndex] as Bucket<V>[]).push(bucket);
    this.bucketTotal += 1;
  }

  private removeLastBucket(): Bucket<V> {
    this.bucketTotal -= 1;
    const chunk = this.chunks[this.bucketTotal >>> chunkBits] as Bucket<V>[];
    const bucket = chunk.pop() as Bucket<V>;
    if (chunk.length === 0) this.chunks.pop();
    return bucket;
  }

  /** Splits bucket `splitNext` by the next hash bit: the entries with that bit set go to a new last bucket. */
  private splitNextBucket(): void {
    const source = this.bucketAt(this.splitNext);
    const mask = (2 << this.level) - 1;
    const moved: Array<number | string | V> = [];
    if (source instanceof Map) {
      const staying: Array<number | string | V> = [];
      for (const [hash, key, value] of entriesOf(source)) {
        if ((hash & mask) === this.splitNext) staying.push(hash, key, value);
        else moved.push(hash, key, value);
      }
      this.replaceBucket(this.splitNext, fitted(staying));
    } else {
      // The staying triples move to the front of the same array, so a split allocates one array.
      let keptLength = 0;
      for (let i = 0; i < source.length; i += 3) {
        if (((source[i] as number) & mask) === this.splitNext) {
          source[keptLength] = source[i] as number;
          source[keptLength + 1] = source[i + 1] as string;
          source[keptLength + 2] = source[i + 2] as V;
          keptLength += 3;
        } else {
          moved.push(source[i] as number, source[i + 1] as string, source[i + 2] as V);
        }
      }
      source.length = keptLength;
    }
    this.appendBucket(fitted(moved));

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

    const source = this.removeLastBucket();
    for (const [hash, key, value] of entriesOf(source)) this.setInBucket(this.splitNext, hash, key, value);
  }
}

/** Returns the position of `key`'s triple in the array bucket, or -1. */
function findInArray<V>(bucket: Array<number | string | V>, hash: number, key: string): number {
  for (let i = 0; i < bucket.length; i += 3) {
    if (bucket[i] === hash && bucket[i + 1] === key) return i;
  }
  return -1;
}

/** Removes `key`'s triple by moving the last triple into its place; returns false when absent. */
function removeFromArray<V>(bucket: Array<number | string | V>, hash: number, key: string): boolean {
  const at = findInArray(bucket, hash, key);
  if (at === -1) return false;
  const last = bucket.length - 3;
  bucket[at] = bucket[last] as number;
  bucket[at + 1] = bucket[last + 1] as string;
  bucket[at + 2] = bucket[last + 2] as V;
  bucket.length = last;
  return true;
}

function* entriesOf<V>(bucket: Bucket<V>): IterableIterator<[number, string, V]> {
  if (bucket instanceof Map) {
    for (const [key, value] of bucket) yield [hashString(key), key, value];
    return;
  }
  for (let i = 0; i < bucket.length; i += 3) yield [bucket[i] as number, bucket[i + 1] as string, bucket[i + 2] as V];
}

function toMap<V>(bucket: Array<number | string | V>): Map<string, V> {
  const map = new Map<string, V>();
  for (let i = 0; i < bucket.length; i += 3) map.set(bucket[i + 1] as string, bucket[i + 2] as V);
  return map;
}

/** Returns the flat array, or a Map when it contains more than `arrayBucketLimit` entries. */
function fitted<V>(flat: Array<number | string | V>): Bucket<V> {
  return flat.length > arrayBucketLimit * 3 ? toMap<V>(flat) : flat;
}

/**
 * 32-bit FNV-1a over the UTF-16 code units. Keys can come from API clients (client_id), and keys
 * made to collide only fill one bucket, which then becomes a Map: lookups stay as fast as Map's,
 * and only the collector rescans that bucket more.
 */
function hashString(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
