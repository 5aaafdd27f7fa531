import { BoundedMap } from "./boundedMap.js";
import type { Restorable } from "./sharedState.js";

export interface BackoffPolicy {
  /** Failures a key may have before it must wait. */
  readonly freeFailures: number;
  /** The wait after the last free failure; it doubles with every further failure… */
  readonly baseDelayMs: number;
  /** …up to this. */
  readonly maxDelayMs: number;
  /** A key's failures are forgotten this long after its last one (and never while it must still wait). */
  readonly forgetAfterMs: number;
}

interface Failures {
  count: number;
  last: number;
}

/**
 * Exponential back-off after failures, by key: `freeFailures` failures, then the key waits `baseDelayMs` after
 * its last failure, twice that after the next one, and so on up to `maxDelayMs`. Fixed memory: at most
 * `entries` keys are kept, least recently used forgotten first.
 */
export class FailureBackoff implements Restorable {
  private readonly failures: BoundedMap<string, Failures>;

  constructor(
    private readonly policy: BackoffPolicy,
    entries: number,
    private readonly now: () => number,
  ) {
    this.failures = new BoundedMap(entries);
  }

  /** Milliseconds until `key` may try again (0: now). */
  wait(key: string): number {
    const f = this.current(key);
    return f ? Math.max(0, f.last + this.delay(f.count) - this.now()) : 0;
  }

  fail(key: string): void {
    this.failures.set(key, { count: (this.current(key)?.count ?? 0) + 1, last: this.now() });
  }

  /** Take back one failure (counted before its attempt's outcome was known). */
  refund(key: string): void {
    const f = this.current(key);
    if (f && f.count > 1) this.failures.set(key, { count: f.count - 1, last: f.last });
    else this.failures.delete(key);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  stateOf(key: string): unknown {
    return this.failures.get(key);
  }

  restore(key: string, state: unknown): void {
    if (state === undefined) this.failures.delete(key);
    else this.failures.set(key, state as Failures);
  }

  private delay(count: number): number {
    if (count < this.policy.freeFailures) return 0;
    return Math.min(
      this.policy.maxDelayMs,
      this.policy.baseDelayMs * 2 ** (count - this.policy.freeFailures),
    );
  }

  private current(key: string): Failures | undefined {
    const f = this.failures.get(key);
    if (f && this.now() - f.last >= Math.max(this.policy.forgetAfterMs, this.delay(f.count))) {
      this.failures.delete(key);
      return undefined;
    }
    return f;
  }
}
