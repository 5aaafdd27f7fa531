import { BoundedMap } from "./boundedMap.js";
import type { Restorable } from "./sharedState.js";

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets by key: each key may act `limit` times in a burst, refilled continuously at `limit` per
 * `windowMs`. At most `entries` buckets are kept (least recently used forgotten, which only ever lets a
 * caller in), and a refusal creates none. In memory (a restart forgets them), unless restored
 * from shared state for each decision (sharedState.ts).
 */
export class TokenBuckets implements Restorable {
  private readonly buckets: BoundedMap<string, Bucket>;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    entries: number,
    private readonly now: () => number,
  ) {
    if (!(limit > 0 && windowMs > 0)) throw new RangeError("a rate needs a positive limit and window");
    this.buckets = new BoundedMap(entries);
  }

  /** Milliseconds until `key` may act (0: now). */
  wait(key: string): number {
    const tokens = this.tokens(key, this.now());
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * this.windowMs) / this.limit);
  }

  /** Take one of `key`'s tokens: 0 if taken, else the milliseconds until one is there (nothing taken). */
  take(key: string): number {
    const now = this.now();
    const tokens = this.tokens(key, now);
    if (tokens < 1) return Math.ceil(((1 - tokens) * this.windowMs) / this.limit);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return 0;
  }

  stateOf(key: string): unknown {
    return this.buckets.get(key);
  }

  restore(key: string, state: unknown): void {
    if (state === undefined) this.buckets.delete(key);
    else this.buckets.set(key, state as Bucket);
  }

  private tokens(key: string, now: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return this.limit;
    const refill = (Math.max(0, now - bucket.at) * this.limit) / this.windowMs;
    return Math.min(this.limit, bucket.tokens + refill);
  }
}
