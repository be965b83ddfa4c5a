/**
 * A bounded cache of canonical copies, so that records repeating the same value (a bot's
 * question, its WhatsApp number and return text) point to one copy instead of each holding its
 * own. At a million pending challenges that saves hundreds of bytes per challenge.
 *
 * When the cache is full, the oldest entry is dropped. Records that use it keep it alive, and
 * later records get a new copy, so a full cache only shares less; it never changes a value.
 */
export class SharedValues<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries: number) {}

  /** Returns the copy stored under `key`, creating it with `create` when there is none. */
  get(key: string, create: () => V): V {
    const found = this.entries.get(key);
    if (found !== undefined) return found;

    const value = create();
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
    return value;
  }
}
