import { ParleyMlsError } from "../../errors.js";
import type { CipherSuite } from "../crypto/cipherSuite.js";

/** One generation's AEAD key and nonce (before the reuse guard is applied). */
export interface RatchetKey {
  readonly generation: number;
  readonly key: Uint8Array;
  readonly nonce: Uint8Array;
}

/** How far a receiver follows a sender that skips ahead, and how many skipped keys it keeps. */
export interface RatchetLimits {
  /** The most generations a key request may jump ahead of the ratchet. */
  readonly maxForwardDistance: number;
  /** The most skipped (not yet received) generations kept per ratchet for out-of-order delivery. */
  readonly outOfOrderWindow: number;
}

const MAX_GENERATION = 0xffffffff;

/**
 * A per-sender symmetric ratchet (RFC 9420 §9.1). It holds only the current generation's secret and the keys
 * of skipped generations; every secret is zeroed once used, and every key is handed out at most once, so a
 * replayed or expired generation is refused.
 */
export class SecretRatchet {
  private secret: Uint8Array;
  private generation = 0;
  /** Keys of generations passed over, oldest first (Map keeps insertion order). */
  private readonly skipped = new Map<number, RatchetKey>();

  constructor(
    private readonly suite: CipherSuite,
    secret: Uint8Array,
    private readonly limits: RatchetLimits,
    private readonly name: string,
  ) {
    this.secret = secret;
  }

  /** The key for the next message this member sends. */
  next(): RatchetKey {
    return this.advance();
  }

  /** The key for a received message of `generation`, which can then not be asked for again. */
  keyFor(generation: number): RatchetKey {
    this.checkReachable(generation);
    if (generation < this.generation) return this.takeSkipped(generation);
    while (this.generation < generation) this.keep(this.advance());
    return this.advance();
  }

  /**
   * The key `keyFor(generation)` would give, leaving the ratchet as it is: a receiver opens a message with
   * it and consumes the generation only once the message proved genuine.
   */
  peek(generation: number): RatchetKey {
    this.checkReachable(generation);
    if (generation < this.generation) {
      const held = this.heldKey(generation);
      return { generation, key: held.key.slice(), nonce: held.nonce.slice() };
    }
    const { suite } = this;
    let secret = this.secret;
    for (let g = this.generation; g < generation; g++) {
      const next = suite.deriveTreeSecret(secret, "secret", g, suite.Nh);
      if (secret !== this.secret) secret.fill(0);
      secret = next;
    }
    const key = {
      generation,
      key: suite.deriveTreeSecret(secret, "key", generation, suite.Nk),
      nonce: suite.deriveTreeSecret(secret, "nonce", generation, suite.Nn),
    };
    if (secret !== this.secret) secret.fill(0);
    return key;
  }

  private checkReachable(generation: number): void {
    if (!Number.isInteger(generation) || generation < 0 || generation > MAX_GENERATION)
      throw new ParleyMlsError("invalid", `${this.name}: generation ${generation} is not a uint32`);
    if (generation >= this.generation && generation - this.generation > this.limits.maxForwardDistance)
      throw new ParleyMlsError(
        "invalid",
        `${this.name}: generation ${generation} is more than ${this.limits.maxForwardDistance} ahead of ${this.generation}`,
      );
  }

  /** Generations whose keys are still held for late messages (for tests and diagnostics). */
  get skippedGenerations(): number[] {
    return [...this.skipped.keys()];
  }

  private heldKey(generation: number): RatchetKey {
    const key = this.skipped.get(generation);
    if (!key)
      throw new ParleyMlsError(
        "invalid",
        `${this.name}: generation ${generation} was already used or has expired`,
      );
    return key;
  }

  private takeSkipped(generation: number): RatchetKey {
    const key = this.heldKey(generation);
    this.skipped.delete(generation);
    return key;
  }

  /** Holds a skipped key, dropping (and zeroing) the oldest beyond the window. */
  private keep(key: RatchetKey): void {
    this.skipped.set(key.generation, key);
    if (this.skipped.size <= this.limits.outOfOrderWindow) return;
    const [oldest, old] = this.skipped.entries().next().value as [number, RatchetKey];
    this.skipped.delete(oldest);
    erase(old);
  }

  /** Derives the current generation's key and nonce, then replaces the secret by the next one. */
  private advance(): RatchetKey {
    if (this.generation > MAX_GENERATION)
      throw new ParleyMlsError("usage", `${this.name}: the ratchet is exhausted`);
    const { suite, secret, generation } = this;
    const key = {
      generation,
      key: suite.deriveTreeSecret(secret, "key", generation, suite.Nk),
      nonce: suite.deriveTreeSecret(secret, "nonce", generation, suite.Nn),
    };
    if (generation < MAX_GENERATION)
      this.secret = suite.deriveTreeSecret(secret, "secret", generation, suite.Nh);
    secret.fill(0);
    this.generation++;
    return key;
  }
}

function erase(key: RatchetKey): void {
  key.key.fill(0);
  key.nonce.fill(0);
}
