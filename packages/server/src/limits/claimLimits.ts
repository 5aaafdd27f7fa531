import type { ServerConfig } from "../config.js";
import { RetryLater } from "../errors.js";
import { TokenBuckets } from "./tokenBuckets.js";

const HOUR = 3600_000;

/**
 * How often key packages may be claimed: per claiming account and user claimed from, per claiming account,
 * and per user claimed from; and how often a device's last-resort package is handed out (its reuse across
 * groups is what it trades for availability).
 */
export class ClaimLimits {
  private readonly pairs: TokenBuckets;
  private readonly claimers: TokenBuckets;
  private readonly targets: TokenBuckets;
  private readonly lastResorts: TokenBuckets;

  constructor(limits: ServerConfig["limits"], now: () => number) {
    const perHour = (limit: number) => new TokenBuckets(limit, HOUR, limits.limiterEntries, now);
    this.pairs = perHour(limits.claimsPerPairPerHour);
    this.claimers = perHour(limits.claimsPerClaimerPerHour);
    this.targets = perHour(limits.claimsPerTargetPerHour);
    this.lastResorts = perHour(limits.lastResortClaimsPerHour);
  }

  /** Admit `claimer`'s claim of `username`'s packages, counting it against all three rates; or 429. */
  admit(claimer: string, username: string): void {
    const keys: [TokenBuckets, string][] = [
      [this.pairs, `${claimer} ${username}`],
      [this.claimers, claimer],
      [this.targets, username],
    ];
    const wait = Math.max(...keys.map(([buckets, key]) => buckets.wait(key)));
    if (wait > 0) throw new RetryLater("claim_limited", "too many key package claims", wait);
    for (const [buckets, key] of keys) buckets.take(key);
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
