import type { ClientStore } from "../storage/store.js";

/** How far this device trusts a contact's identity keys. */
export type VerificationState = "unverified" | "verified" | "changed";

/** The identity keys pinned for one username (trust on first use), and what is known of its devices. */
export interface ContactRecord {
  readonly username: string;
  /** Hex Ed25519 identity keys accepted for this user. */
  readonly identityKeys: readonly string[];
  readonly state: VerificationState;
  /** When `changed`: the identity key seen that is not pinned, refused until the app accepts or verifies it. */
  readonly pendingKey?: string;
  /** Device ids seen with a valid binding. */
  readonly devices: readonly string[];
}

const PREFIX = "contact:";

export async function loadContact(store: ClientStore, username: string): Promise<ContactRecord | undefined> {
  const text = await store.loadMeta(PREFIX + username);
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as Partial<ContactRecord>;
    const strings = (a: unknown) =>
      Array.isArray(a) ? a.filter((s): s is string => typeof s === "string") : [];
    const state = v.state === "verified" || v.state === "changed" ? v.state : "unverified";
    return {
      username,
      identityKeys: strings(v.identityKeys),
      state,
      ...(typeof v.pendingKey === "string" ? { pendingKey: v.pendingKey } : {}),
      devices: strings(v.devices),
    };
  } catch {
    return undefined;
  }
}

export const contactMeta = (contact: ContactRecord): Record<string, string> => ({
  [PREFIX + contact.username]: JSON.stringify(contact),
});
