import type { KeyObject } from "node:crypto";
import { frameKey } from "./aesGcm.js";
import type { KeyRatchet } from "./keyRatchet.js";

/** DAVE constants (libdave common.h). */
export const GENERATION_SHIFT = 24;
export const GENERATION_WRAP = 256;
export const MAX_GENERATION_GAP = 250;
export const MAX_MISSING_NONCES = 1000;
export const CRYPTOR_EXPIRY_MS = 10_000;
/** 50 audio frames plus two 60 fps video streams per second: bounds how far generations can plausibly go. */
const MAX_FRAMES_PER_SECOND = 50 + 2 * 60;

/** The full generation for an 8-bit one, assuming it is at or after `oldest` (a wrong guess fails the gap check). */
export function wrappedGeneration(oldest: number, generation: number): number {
  const remainder = oldest % GENERATION_WRAP;
  const factor = Math.floor(oldest / GENERATION_WRAP) + (generation < remainder ? 1 : 0);
  return factor * GENERATION_WRAP + generation;
}

/** A monotone nonce across wraps: the full generation above the nonce's low 24 bits. */
function bigNonce(generation: number, truncatedNonce: number): number {
  return generation * 2 ** GENERATION_SHIFT + (truncatedNonce & (2 ** GENERATION_SHIFT - 1));
}

/**
 * One sender ratchet's receive state (libdave CryptorManager): keys per generation with expiry, the replay
 * window, and the plausibility checks on generations.
 */
export class CryptorManager {
  private oldestGeneration = 0;
  private newestGeneration = 0;
  private newestProcessedNonce: number | undefined;
  private missingNonces: number[] = [];
  private readonly keys = new Map<number, { key: KeyObject; expiry: number }>();
  private readonly created: number;
  private expiry = Number.POSITIVE_INFINITY;

  constructor(
    private readonly ratchet: KeyRatchet,
    private readonly now: () => number,
  ) {
    this.created = now();
  }

  get expired(): boolean {
    return this.expiry < this.now();
  }

  /** Shorten this manager's life to at most `until` (a transition to a newer ratchet). */
  expireBy(until: number): void {
    this.expiry = Math.min(this.expiry, until);
  }

  /** Its epoch is over: zero the ratchet's secret and keys, and drop the imported frame keys. */
  erase(): void {
    this.ratchet.erase();
    this.keys.clear();
    this.expiry = Number.NEGATIVE_INFINITY;
  }

  generationOf(truncatedNonce: number): number {
    return wrappedGeneration(this.oldestGeneration, truncatedNonce >>> GENERATION_SHIFT);
  }

  /** Not a replay: newer than anything processed, or one of the nonces skipped so far. */
  canProcessNonce(generation: number, truncatedNonce: number): boolean {
    if (this.newestProcessedNonce === undefined) return true;
    const nonce = bigNonce(generation, truncatedNonce);
    return nonce > this.newestProcessedNonce || this.missingNonces.includes(nonce);
  }

  /** The key for `generation`, or undefined when it is too old, too far ahead, or implausibly far. */
  keyFor(generation: number): KeyObject | undefined {
    this.cleanup();
    if (generation < this.oldestGeneration || generation > this.newestGeneration + MAX_GENERATION_GAP)
      return undefined;
    const lifetimeSeconds = Math.floor((this.now() - this.created) / 1000);
    const maxGeneration = Math.floor((MAX_FRAMES_PER_SECOND * lifetimeSeconds) / 2 ** GENERATION_SHIFT);
    if (generation > maxGeneration) return undefined;
    let entry = this.keys.get(generation);
    if (entry === undefined) {
      const key = this.ratchet.getKey(generation);
      if (key === null) return undefined;
      const expiry =
        generation < this.newestGeneration ? this.now() + CRYPTOR_EXPIRY_MS : Number.POSITIVE_INFINITY;
      entry = { key: frameKey(key), expiry };
      this.keys.set(generation, entry);
    }
    return entry.key;
  }

  /** Record a decrypted frame: advance the replay window and age out older generations. */
  reportSuccess(generation: number, truncatedNonce: number): void {
    const nonce = bigNonce(generation, truncatedNonce);
    if (this.newestProcessedNonce === undefined) {
      this.newestProcessedNonce = nonce;
    } else if (nonce > this.newestProcessedNonce) {
      const skipped = Math.min(nonce - this.newestProcessedNonce - 1, MAX_MISSING_NONCES);
      const overflow = this.missingNonces.length + skipped - MAX_MISSING_NONCES;
      if (overflow > 0) this.missingNonces.splice(0, overflow);
      for (let n = nonce - skipped; n < nonce; n++) this.missingNonces.push(n);
      this.newestProcessedNonce = nonce;
    } else {
      const at = this.missingNonces.indexOf(nonce);
      if (at >= 0) this.missingNonces.splice(at, 1);
    }
    if (generation <= this.newestGeneration || !this.keys.has(generation)) return;
    this.newestGeneration = generation;
    const until = this.now() + CRYPTOR_EXPIRY_MS;
    for (const [g, entry] of this.keys) if (g < generation) entry.expiry = Math.min(entry.expiry, until);
  }

  private cleanup(): void {
    const now = this.now();
    for (const [g, entry] of this.keys) if (entry.expiry < now) this.keys.delete(g);
    while (this.oldestGeneration < this.newestGeneration && !this.keys.has(this.oldestGeneration)) {
      this.ratchet.deleteKey(this.oldestGeneration);
      this.oldestGeneration++;
    }
  }
}
