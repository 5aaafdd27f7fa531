import { open } from "./aesGcm.js";
import type { MediaType } from "./codecs.js";
import { CRYPTOR_EXPIRY_MS, CryptorManager } from "./cryptorManager.js";
import { parseProtocolFrame, rebuildFrame } from "./frame.js";
import type { KeyRatchet } from "./keyRatchet.js";

export type DecryptFailure =
  | "not-encrypted" // not a protocol frame, and passthrough is not allowed
  | "missing-key-ratchet" // no ratchet installed
  | "invalid-nonce" // a replay, or older than the replay window
  | "missing-key" // generation too old, too far ahead, or implausible
  | "authentication-failure"; // no ratchet's key opens it

export type DecryptResult =
  | { readonly ok: true; readonly frame: Uint8Array; readonly passthrough: boolean }
  | { readonly ok: false; readonly reason: DecryptFailure };

export interface DecryptionStats {
  successes: number;
  failures: number;
  /** Total time spent decrypting, in microseconds. */
  duration: number;
  attempts: number;
  passthroughs: number;
  invalidNonce: number;
  missingKey: number;
}

const emptyStats = (): DecryptionStats => ({
  successes: 0,
  failures: 0,
  duration: 0,
  attempts: 0,
  passthroughs: 0,
  invalidNonce: 0,
  missingKey: 0,
});

const OPUS_SILENCE = Uint8Array.of(0xf8, 0xff, 0xfe);

/**
 * Decrypts one sender's media frames (libdave Decryptor). Older ratchets stay usable for a while after a
 * transition, so frames in flight still decrypt. `decrypt` never throws, whatever the bytes.
 */
export class Decryptor {
  private readonly managers: CryptorManager[] = [];
  private passthroughUntil = 0;
  private readonly statistics: Record<MediaType, DecryptionStats> = {
    audio: emptyStats(),
    video: emptyStats(),
  };

  /**
   * @param now the clock (ms), injectable for tests.
   * @param retentionMs how long a replaced ratchet keeps decrypting frames in flight before it is erased.
   */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly retentionMs = CRYPTOR_EXPIRY_MS,
  ) {}

  /** Decrypt with `ratchet` from now on; earlier ratchets expire `expiryMs` from now, then are erased. */
  transitionToKeyRatchet(ratchet: KeyRatchet | null, expiryMs = this.retentionMs): void {
    const until = this.now() + expiryMs;
    for (const m of this.managers) m.expireBy(until);
    this.eraseExpired();
    if (ratchet) this.managers.push(new CryptorManager(ratchet, this.now));
  }

  /**
   * Zero and drop every ratchet past its retention (older ratchets expire first). `decrypt` and transitions do
   * this too; a holder with no frames arriving calls it so that old keys do not linger.
   */
  eraseExpired(): void {
    while (this.managers[0]?.expired) this.managers.shift()?.erase();
  }

  /** Zero every ratchet now (the decryptor is being dropped). */
  erase(): void {
    for (const m of this.managers.splice(0)) m.erase();
  }

  /** Allow unencrypted frames indefinitely, or (leaving passthrough) for at most `expiryMs` more. */
  transitionToPassthroughMode(passthrough: boolean, expiryMs = CRYPTOR_EXPIRY_MS): void {
    this.passthroughUntil = passthrough
      ? Number.POSITIVE_INFINITY
      : Math.min(this.passthroughUntil, this.now() + expiryMs);
  }

  /** Whether an unencrypted frame would pass through now. */
  get passthroughAllowed(): boolean {
    return this.passthroughUntil > this.now();
  }

  stats(mediaType: MediaType): Readonly<DecryptionStats> {
    return { ...this.statistics[mediaType] };
  }

  decrypt(mediaType: MediaType, frame: Uint8Array): DecryptResult {
    const stats = this.statistics[mediaType];
    if (mediaType === "audio" && frame.length === 3 && frame.every((b, i) => b === OPUS_SILENCE[i])) {
      return { ok: true, frame: frame.slice(), passthrough: true };
    }
    const started = performance.now();
    this.eraseExpired();
    const parsed = parseProtocolFrame(frame);
    if (parsed === undefined) {
      if (this.passthroughAllowed) {
        stats.passthroughs++;
        return { ok: true, frame: frame.slice(), passthrough: true };
      }
      stats.failures++;
      return { ok: false, reason: "not-encrypted" };
    }
    let reason: DecryptFailure = "missing-key-ratchet";
    for (let i = this.managers.length - 1; i >= 0; i--) {
      const manager = this.managers[i] as CryptorManager;
      // Every ratchet tried is an attempt, as libdave and davey count them.
      stats.attempts++;
      const generation = manager.generationOf(parsed.truncatedNonce);
      if (!manager.canProcessNonce(generation, parsed.truncatedNonce)) {
        reason = "invalid-nonce";
        continue;
      }
      const key = manager.keyFor(generation);
      if (key === undefined) {
        reason = "missing-key";
        continue;
      }
      const plaintext = open(key, parsed.truncatedNonce, parsed.aad, parsed.ciphertext, parsed.tag);
      if (plaintext === undefined) {
        reason = "authentication-failure";
        continue;
      }
      manager.reportSuccess(generation, parsed.truncatedNonce);
      stats.successes++;
      stats.duration += Math.round((performance.now() - started) * 1000);
      return { ok: true, frame: rebuildFrame(parsed, plaintext), passthrough: false };
    }
    stats.failures++;
    if (reason === "invalid-nonce") stats.invalidNonce++;
    if (reason === "missing-key" || reason === "missing-key-ratchet") stats.missingKey++;
    return { ok: false, reason };
  }
}
