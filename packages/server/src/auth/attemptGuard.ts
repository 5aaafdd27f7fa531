import type { ServerConfig } from "../config.js";
import { RetryLater } from "../errors.js";
import { FailureBackoff } from "../limits/failureBackoff.js";
import { type LimiterStore, limiterStore, type Touched } from "../limits/sharedState.js";
import { TokenBuckets } from "../limits/tokenBuckets.js";
import type { Db } from "../storage/db.js";

const HOUR = 3600_000;

/** A password check or registration under way: `succeeded` once its outcome is known to be good. */
export interface Attempt {
  succeeded(): Promise<void>;
}

/**
 * Throttles password guessing before any scrypt runs. Each username and each client address gets a few free
 * failures, then an exponential back-off (429 with Retry-After). An attempt is counted as a failure before the
 * password is checked, so concurrent guesses count too; a correct password forgets the username's failures
 * and takes back its address's charge (other users behind that address keep theirs, and an attacker cannot
 * clear the address's record by logging into an account of their own). Registrations are also rated per
 * address. On PostgreSQL the counts are shared by every instance on the database.
 */
export class AttemptGuard {
  private readonly accounts: FailureBackoff;
  private readonly addresses: FailureBackoff;
  private readonly registrations: TokenBuckets;
  private readonly store: LimiterStore;

  constructor(limits: ServerConfig["limits"], now: () => number, db?: Db) {
    this.store = limiterStore(db, now);
    const policy = (freeFailures: number) => ({
      freeFailures,
      baseDelayMs: limits.loginBackoffMs,
      maxDelayMs: limits.loginBackoffMaxMs,
      forgetAfterMs: limits.loginFailureMemoryMs,
    });
    this.accounts = new FailureBackoff(
      policy(limits.loginFreeFailuresPerAccount),
      limits.limiterEntries,
      now,
    );
    this.addresses = new FailureBackoff(
      policy(limits.loginFreeFailuresPerAddress),
      limits.limiterEntries,
      now,
    );
    this.registrations = new TokenBuckets(
      limits.registrationsPerAddressPerHour,
      HOUR,
      limits.limiterEntries,
      now,
    );
  }

  /** A password check for `username` from `address` (a login or a password change), or 429. */
  async password(username: string, address: string): Promise<Attempt> {
    const touched: Touched[] = [
      ["login_account", this.accounts, username],
      ["login_address", this.addresses, address],
    ];
    await this.store.atomically(touched, () => {
      const wait = Math.max(this.accounts.wait(username), this.addresses.wait(address));
      if (wait > 0) {
        throw new RetryLater(
          "login_throttled",
          "too many failed password checks for this account or address",
          wait,
        );
      }
      this.accounts.fail(username);
      this.addresses.fail(address);
    });
    return {
      succeeded: () =>
        this.store.atomically(touched, () => {
          this.accounts.reset(username);
          this.addresses.refund(address);
        }),
    };
  }

  /** A registration from `address`, or 429. */
  async registration(address: string): Promise<Attempt> {
    const touched: Touched[] = [
      ["login_address", this.addresses, address],
      ["registrations", this.registrations, address],
    ];
    await this.store.atomically(touched, () => {
      const wait = Math.max(this.addresses.wait(address), this.registrations.wait(address));
      if (wait > 0)
        throw new RetryLater("registration_throttled", "too many registrations from this address", wait);
      this.registrations.take(address);
      this.addresses.fail(address);
    });
    return {
      succeeded: () => this.store.atomically([touched[0] as Touched], () => this.addresses.refund(address)),
    };
  }
}
