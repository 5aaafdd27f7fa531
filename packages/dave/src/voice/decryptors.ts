import { Decryptor } from "../media/decryptor.js";
import type { KeyRatchet } from "../media/keyRatchet.js";

/**
 * One Decryptor per other user in the call, made as users are recognized. Passthrough follows the latest
 * prepared protocol version, so a user who joins a version-0 call is heard at once.
 */
export class Decryptors {
  private readonly byUser = new Map<string, Decryptor>();
  private passthrough = false;

  /** `now` and `retentionMs` as for each Decryptor: the clock, and how long a past epoch's ratchets live. */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly retentionMs?: number,
  ) {}

  get(userId: string): Decryptor | undefined {
    return this.byUser.get(userId);
  }

  userIds(): string[] {
    return [...this.byUser.keys()];
  }

  add(userId: string): void {
    if (this.byUser.has(userId)) return;
    const decryptor = new Decryptor(this.now, this.retentionMs);
    if (this.passthrough) decryptor.transitionToPassthroughMode(true);
    this.byUser.set(userId, decryptor);
  }

  delete(userId: string): void {
    this.byUser.get(userId)?.erase();
    this.byUser.delete(userId);
  }

  /** Erase every ratchet past its retention. */
  eraseExpired(): void {
    for (const decryptor of this.byUser.values()) decryptor.eraseExpired();
  }

  /** A transition to protocol version 0: unencrypted frames are accepted from now on. */
  allowPassthrough(): void {
    this.passthrough = true;
    for (const decryptor of this.byUser.values()) decryptor.transitionToPassthroughMode(true);
  }

  /**
   * A transition to an E2EE epoch, applied to every user in one synchronous step so that no frame meets a
   * half-updated set. Each user in `ratchets` gets its new ratchet (null for a user outside the group: its old
   * ratchets just expire); earlier ratchets stay usable for the retention window (passthrough for 10 s) for
   * frames in flight, and are erased after it.
   */
  install(ratchets: ReadonlyMap<string, KeyRatchet | null>): void {
    this.passthrough = false;
    for (const [userId, ratchet] of ratchets) {
      this.add(userId);
      this.byUser.get(userId)?.transitionToKeyRatchet(ratchet);
    }
    for (const decryptor of this.byUser.values()) decryptor.transitionToPassthroughMode(false);
  }

  clear(): void {
    for (const decryptor of this.byUser.values()) decryptor.erase();
    this.byUser.clear();
  }
}
