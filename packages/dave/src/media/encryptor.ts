import type { KeyObject } from "node:crypto";
import { frameKey, seal } from "./aesGcm.js";
import { type Codec, ciphertextIsPacketizable, layoutFrame, type MediaType } from "./codecs.js";
import { GENERATION_SHIFT, wrappedGeneration } from "./cryptorManager.js";
import { buildProtocolFrame } from "./frame.js";
import type { KeyRatchet } from "./keyRatchet.js";

export type EncryptResult =
  | { readonly ok: true; readonly frame: Uint8Array; readonly passthrough: boolean }
  | {
      readonly ok: false;
      readonly reason:
        | "missing-key-ratchet"
        | "unsupported-codec"
        | "too-many-attempts"
        | "encryption-failure";
    };

export interface EncryptionStats {
  successes: number;
  failures: number;
  /** Total time spent encrypting, in microseconds. */
  duration: number;
  attempts: number;
  maxAttempts: number;
  passthroughs: number;
  missingKey: number;
}

const emptyStats = (): EncryptionStats => ({
  successes: 0,
  failures: 0,
  duration: 0,
  attempts: 0,
  maxAttempts: 0,
  passthroughs: 0,
  missingKey: 0,
});

/** H.26x frames are re-encrypted under the next nonce when the ciphertext holds a start code (libdave: 10 tries). */
const MAX_ATTEMPTS = 10;

/**
 * Encrypts this member's outgoing media frames (libdave Encryptor). It never sends a frame in the clear
 * unless passthrough was explicitly turned on, and without a key ratchet it refuses to encrypt.
 */
export class Encryptor {
  private ratchet: KeyRatchet | null = null;
  private generation = 0;
  private key: KeyObject | null = null;
  private truncatedNonce = 0;
  private passthrough = false;
  private readonly codecs = new Map<number, Codec>();
  private readonly statistics: Record<MediaType, EncryptionStats> = {
    audio: emptyStats(),
    video: emptyStats(),
  };

  /**
   * Switch to a new sender ratchet; nonces restart at 1, and the previous ratchet is erased (nothing is ever sent
   * under it again). Null leaves the encryptor unable to encrypt.
   */
  setKeyRatchet(ratchet: KeyRatchet | null): void {
    if (this.ratchet !== ratchet) this.ratchet?.erase();
    this.ratchet = ratchet;
    this.key = null;
    this.generation = 0;
    this.truncatedNonce = 0;
  }

  get hasKeyRatchet(): boolean {
    return this.ratchet !== null;
  }

  setPassthroughMode(passthrough: boolean): void {
    this.passthrough = passthrough;
  }

  get passthroughMode(): boolean {
    return this.passthrough;
  }

  assignSsrcToCodec(ssrc: number, codec: Codec): void {
    this.codecs.set(ssrc, codec);
  }

  codecForSsrc(ssrc: number): Codec {
    return this.codecs.get(ssrc) ?? "unknown";
  }

  stats(mediaType: MediaType): Readonly<EncryptionStats> {
    return { ...this.statistics[mediaType] };
  }

  encrypt(mediaType: MediaType, ssrc: number, frame: Uint8Array): EncryptResult {
    const stats = this.statistics[mediaType];
    if (this.passthrough) {
      stats.passthroughs++;
      return { ok: true, frame: frame.slice(), passthrough: true };
    }
    if (this.ratchet === null) {
      stats.failures++;
      stats.missingKey++;
      return { ok: false, reason: "missing-key-ratchet" };
    }
    const started = performance.now();
    const codec = this.codecForSsrc(ssrc);
    const { clear, aad, plaintext } = layoutFrame(codec, frame).layout();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const nonce = this.nextNonce();
      if (nonce === undefined) {
        stats.failures++;
        stats.missingKey++;
        return { ok: false, reason: "missing-key-ratchet" };
      }
      const { ciphertext, tag } = seal(nonce.key, nonce.truncatedNonce, aad, plaintext);
      const out = buildProtocolFrame(clear, aad, ciphertext, tag, nonce.truncatedNonce);
      stats.attempts++;
      stats.maxAttempts = Math.max(stats.maxAttempts, attempt);
      if (ciphertextIsPacketizable(codec, out, clear)) {
        stats.successes++;
        stats.duration += Math.round((performance.now() - started) * 1000);
        return { ok: true, frame: out, passthrough: false };
      }
    }
    stats.failures++;
    return { ok: false, reason: "too-many-attempts" };
  }

  private nextNonce(): { key: KeyObject; truncatedNonce: number } | undefined {
    if (this.ratchet === null) return undefined;
    this.truncatedNonce = (this.truncatedNonce + 1) >>> 0;
    const generation = wrappedGeneration(this.generation, this.truncatedNonce >>> GENERATION_SHIFT);
    if (generation !== this.generation || this.key === null) {
      this.generation = generation;
      const raw = this.ratchet.getKey(generation);
      if (raw === null) return undefined;
      this.key = frameKey(raw);
    }
    return { key: this.key, truncatedNonce: this.truncatedNonce };
  }
}
