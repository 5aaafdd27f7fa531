import { generateIdentityKeyPair, type IdentityKeyPair } from "@parley/mls";
import type { ClientStore } from "../storage/store.js";

/*
 * The account's identity key pair (Ed25519): it signs each device's binding (see @parley/mls device bindings).
 * Kept in the store's meta, which lives in the same private (0600) store as the device's signature key.
 */

export const IDENTITY_KEY = "identityKey";

export function encodeIdentity(identity: IdentityKeyPair): string {
  return JSON.stringify({
    publicKey: Buffer.from(identity.publicKey).toString("base64"),
    privateKey: Buffer.from(identity.privateKey).toString("base64"),
  });
}

export function decodeIdentity(text: string | undefined): IdentityKeyPair | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as { publicKey?: unknown; privateKey?: unknown };
    const bytes = (s: unknown) => new Uint8Array(Buffer.from(String(s), "base64"));
    return { publicKey: bytes(v.publicKey), privateKey: bytes(v.privateKey) };
  } catch {
    return undefined;
  }
}

/** The stored identity, or a new one (a store from before identity keys, or a new device). */
export async function loadIdentity(
  store: ClientStore,
): Promise<{ identity: IdentityKeyPair; fresh: boolean }> {
  const stored = decodeIdentity(await store.loadMeta(IDENTITY_KEY));
  return stored ? { identity: stored, fresh: false } : { identity: generateIdentityKeyPair(), fresh: true };
}
