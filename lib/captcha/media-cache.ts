// Each challenge's picture and audio are rendered once per process and kept until the challenge expires, within a byte
// budget (oldest first out): asking again for the same media costs a lookup, not a rendering. Correctness never depends
// on it — another instance, or a restart, renders the same bytes again from the challenge's seed.
import "server-only";

type Entry<T> = { value: Promise<T>; bytes: number; expiresAt: number };

export class MediaCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private total = 0;

  constructor(
    private readonly budgetBytes: number,
    private readonly sizeOf: (value: T) => number,
  ) {}

  /** The cached value for key, or render() once (concurrent callers share the same rendering). */
  get(key: string, expiresAt: number, render: () => Promise<T>, now = Date.now()): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    if (hit) this.remove(key);
    const entry: Entry<T> = { value: render(), bytes: 0, expiresAt };
    this.entries.set(key, entry);
    entry.value.then(
      (value) => {
        if (this.entries.get(key) !== entry) return;
        entry.bytes = this.sizeOf(value);
        this.total += entry.bytes;
        this.evict(now);
      },
      () => this.entries.get(key) === entry && this.remove(key),
    );
    return entry.value;
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.total;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.total -= entry.bytes;
    this.entries.delete(key);
  }

  /** Drops expired entries, then the oldest, until the budget holds. */
  private evict(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.remove(key);
    for (const key of this.entries.keys()) {
      if (this.total <= this.budgetBytes) break;
      this.remove(key);
    }
  }
}
