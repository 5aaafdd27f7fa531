import { Decryptor } from "../media/decryptor.js";
import type { KeyRatchet } from "../media/keyRatchet.js";

/**
 * One Decryptor per other user in the call, made as users are recognized. Passthrough follows the latest
 * prepared protocol version, so a user who joins a version-0 call is heard at once.
 */
export class Decryptors {
  private readonly byUser = new Map<string, Decryptor>();
  private passthrough = false;

  get(userId: string): Decryptor | undefined {
    return this.byUser.get(userId);
  }

  userIds(): string[] {
    return [...this.byUser.keys()];
  }

  add(userId: string): void {
    if (this.byUser.has(userId)) return;
    const decryptor = new Decryptor();
    if (this.passthrough) decryptor.transitionToPassthroughMode(true);
    this.byUser.set(userId, decryptor);
  }

  delete(userId: string): void {
    this.byUser.delete(userId);
  }

  /** A transition to protocol version 0: unencrypted frames are accepted from now on. */
  allowPassthrough(): void {
    this.passthrough = true;
    for (const decryptor of this.byUser.values()) decryptor.transitionToPassthroughMode(true);
  }

  /**
   * A transition to an E2EE epoch, applied to every user in one synchronous step so that no frame meets a
   * half-updated set. Each user in `ratchets` gets its new ratchet (null for a user outside the group: its old
   * ratchets just expire); earlier ratchets, and passthrough, stay usable for 10 s for frames in flight.
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
    this.byUser.clear();
  }
}
