import type { ServerConfig } from "../config.js";
import { RetryLater } from "../errors.js";
import type { Db } from "../storage/db.js";
import { type LimiterStore, limiterStore, type Touched } from "./sharedState.js";
import { TokenBuckets } from "./tokenBuckets.js";

const HOUR = 3600_000;

/**
 * How often key packages may be claimed: per claiming account and user claimed from, per claiming account,
 * and per user claimed from; and how often a device's last-resort package is handed out (its reuse across
 * groups is what it trades for availability). On PostgreSQL the claim rates are shared by every instance on
 * the database; the last-resort rate is decided inside the claim and stays per instance.
 */
export class ClaimLimits {
  private readonly pairs: TokenBuckets;
  private readonly claimers: TokenBuckets;
  private readonly targets: TokenBuckets;
  private readonly lastResorts: TokenBuckets;
  private readonly store: LimiterStore;

  constructor(limits: ServerConfig["limits"], now: () => number, db?: Db) {
    this.store = limiterStore(db, now);
    const perHour = (limit: number) => new TokenBuckets(limit, HOUR, limits.limiterEntries, now);
    this.pairs = perHour(limits.claimsPerPairPerHour);
    this.claimers = perHour(limits.claimsPerClaimerPerHour);
    this.targets = perHour(limits.claimsPerTargetPerHour);
    this.lastResorts = perHour(limits.lastResortClaimsPerHour);
  }

  /** Admit `claimer`'s claim of `username`'s packages, counting it against all three rates; or 429. */
  admit(claimer: string, username: string): Promise<void> {
    const touched: Touched[] = [
      ["claims_pair", this.pairs, `${claimer} ${username}`],
      ["claims_claimer", this.claimers, claimer],
      ["claims_target", this.targets, username],
    ];
    return this.store.atomically(touched, () => {
      const buckets = touched.map(([, limiter, key]) => [limiter as TokenBuckets, key] as const);
      const wait = Math.max(...buckets.map(([limiter, key]) => limiter.wait(key)));
      if (wait > 0) throw new RetryLater("claim_limited", "too many key package claims", wait);
      for (const [limiter, key] of buckets) limiter.take(key);
    });
  }

  /** Whether `deviceId`'s last-resort package may be handed out now (counted if so). */
  takeLastResort(deviceId: string): boolean {
    return this.lastResorts.take(deviceId) === 0;
  }

  /** The refusal when the only packages left were last-resort ones withheld by their rate. */
  lastResortsWithheld(deviceIds: readonly string[]): RetryLater {
    const wait = Math.min(...deviceIds.map((id) => this.lastResorts.wait(id)));
    return new RetryLater(
      "claim_limited",
      "this user's last-resort key packages were handed out too often",
      wait,
    );
  }
}
