import { bindingOf, inspectKeyPackage, type LeafExtension, type MlsGroup, verifyBinding } from "@parley/mls";
import { fromHex, toHex } from "../bytes.js";
import { ParleyClientError } from "../errors.js";
import type { Emitter } from "../events.js";
import { addressOf, type DeviceAddress } from "../identity.js";
import type { ClientStore } from "../storage/store.js";
import { type ContactRecord, contactMeta, loadContact } from "./contacts.js";
import { safetyNumber } from "./safetyNumber.js";

/** A leaf (or a key package's leaf) as the trust checks see it. */
export interface LeafView {
  readonly leafIndex?: number;
  readonly username: string;
  readonly deviceId: string;
  readonly signatureKey: Uint8Array;
  readonly extensions: readonly LeafExtension[];
}

type Member = ReturnType<MlsGroup["members"]>[number];

/** The committer's user and identity key: it may bring new keys of its own user. */
type Voucher = { readonly username: string; readonly key: string };

const untrusted = (message: string) => new ParleyClientError("untrusted-identity", message);
const describe = (leaf: LeafView) => `${leaf.username}/${leaf.deviceId.slice(0, 12)}`;

/**
 * The identity keys pinned per username, and the check every leaf this device accepts goes through: the leaf's
 * device binding must verify, and its identity key must be one pinned for the username. An unknown user is
 * pinned on first sight (trust on first use). A key that is not pinned is accepted only when a device of the
 * same user with a pinned key adds it (the user approving another device); otherwise the contact is `changed`
 * and the leaf refused until the application accepts or verifies the new key.
 */
export class TrustBook {
  constructor(
    private readonly store: ClientStore,
    private readonly me: DeviceAddress,
    private readonly ownIdentityKey: Uint8Array,
    private readonly events: Emitter,
  ) {}

  /** Pin this device's own identity key for its own username, verified (at registration, or with an imported key). */
  async pinOwn(): Promise<void> {
    const own = await loadContact(this.store, this.me.username);
    const key = toHex(this.ownIdentityKey);
    if (own?.identityKeys.includes(key)) return;
    await this.save({
      username: this.me.username,
      identityKeys: [...(own?.identityKeys ?? []), key],
      state: "verified",
      devices: [...(own?.devices ?? []), this.me.deviceId],
    });
  }

  /** A Welcome's roster: every leaf, no one vouching for any of them. */
  async checkRoster(group: MlsGroup, conversationId: string): Promise<void> {
    await this.admit(group.members().map(leafView), undefined, conversationId);
  }

  /** The leaves a commit added or replaced; the committer vouches for new keys of its own user. */
  async checkCommit(
    before: MlsGroup,
    after: MlsGroup,
    senderLeafIndex: number | undefined,
    conversationId: string,
  ): Promise<void> {
    const previous = new Map(before.members().map((m) => [m.leafIndex, m]));
    const changed = after.members().filter((m) => !sameLeaf(previous.get(m.leafIndex), m));
    for (const leaf of changed) {
      const old = previous.get(leaf.leafIndex);
      if (old && leaf.leafIndex === senderLeafIndex && !sameCredential(old, leaf)) {
        throw untrusted(`leaf ${leaf.leafIndex} changed its credential; a leaf's identity cannot change`);
      }
    }
    const committer = senderLeafIndex === undefined ? undefined : previous.get(senderLeafIndex);
    const voucher = committer && this.voucherOf(leafView(committer));
    await this.admit(changed.map(leafView), voucher, conversationId);
  }

  /** Claimed key packages this device is about to add: those with a valid binding, pinned as leaves would be. */
  async checkClaimed<T extends { username: string; deviceId: string; keyPackage: Uint8Array }>(
    claimed: T[],
  ): Promise<T[]> {
    const usable: T[] = [];
    for (const c of claimed) {
      const info = inspectKeyPackage(c.keyPackage);
      const leaf = { ...c, signatureKey: info.signatureKey, extensions: info.leafExtensions };
      if (!bindingKey(leaf)) continue; // no valid binding: not a device anyone can add
      await this.admit([leaf], { username: this.me.username, key: toHex(this.ownIdentityKey) });
      usable.push(c);
    }
    return usable;
  }

  async contact(username: string): Promise<ContactRecord | undefined> {
    return loadContact(this.store, username);
  }

  /**
   * The number to compare out of band: over the pinned keys, or over the new key alone while `changed` (what
   * the device that brought it shows for itself). Unknown users have none; this device always has its own.
   */
  async safetyNumber(username: string): Promise<string | undefined> {
    const c = await loadContact(this.store, username);
    if (!c && username === this.me.username) return safetyNumber(username, [this.ownIdentityKey]);
    if (!c) return undefined;
    const keys = c.state === "changed" && c.pendingKey ? [c.pendingKey] : c.identityKeys;
    return safetyNumber(username, keys.map(fromHex));
  }

  /** Mark a contact verified if `number` is its safety number; a `changed` contact then pins its new key. */
  async verify(username: string, number: string): Promise<boolean> {
    const c = await loadContact(this.store, username);
    if (!c || number.replace(/\s/g, "") !== (await this.safetyNumber(username))?.replace(/\s/g, ""))
      return false;
    await this.save(replacePending(c, "verified"));
    return true;
  }

  /** Accept a `changed` contact's new identity key without verifying it. */
  async accept(username: string): Promise<boolean> {
    const c = await loadContact(this.store, username);
    if (c?.state !== "changed") return false;
    await this.save(replacePending(c, "unverified"));
    return true;
  }

  private voucherOf(leaf: LeafView): Voucher | undefined {
    const key = bindingKey(leaf);
    return key ? { username: leaf.username, key } : undefined;
  }

  /** Check `leaves` and pin what they show, all or nothing: the first leaf refused throws. */
  private async admit(
    leaves: LeafView[],
    voucher: Voucher | undefined,
    conversationId?: string,
  ): Promise<void> {
    if (leaves.length === 0) return;
    const contacts = new Map<string, ContactRecord | undefined>();
    for (const u of new Set(leaves.map((l) => l.username))) contacts.set(u, await loadContact(this.store, u));
    const stored = JSON.stringify([...contacts.values()]);
    const firstSight = new Set([...contacts].filter(([, c]) => !c).map(([u]) => u));
    const added: { username: string; deviceId: string }[] = [];
    for (const leaf of leaves) {
      const key = bindingKey(leaf);
      if (!key) throw untrusted(`the leaf of ${describe(leaf)} has no valid device binding`);
      const c = firstSight.has(leaf.username) ? undefined : contacts.get(leaf.username);
      if (c && !accepts(c, leaf.username, key, voucher))
        await this.refuseChanged(c, leaf, key, conversationId);
      if (c && !c.devices.includes(leaf.deviceId))
        added.push({ username: leaf.username, deviceId: leaf.deviceId });
      contacts.set(leaf.username, pinned(contacts.get(leaf.username), leaf, key));
    }
    if (JSON.stringify([...contacts.values()]) !== stored) {
      const meta = Object.assign({}, ...[...contacts.values()].flatMap((c) => (c ? [contactMeta(c)] : [])));
      await this.store.write({ meta });
    }
    for (const a of added)
      this.events.emit("deviceAdded", { ...a, ...(conversationId ? { conversationId } : {}) });
  }

  /** Mark the contact `changed` (told once per new key) and refuse the leaf. */
  private async refuseChanged(
    c: ContactRecord,
    leaf: LeafView,
    key: string,
    conversationId: string | undefined,
  ): Promise<never> {
    if (c.state !== "changed" || c.pendingKey !== key) {
      await this.save({ ...c, state: "changed", pendingKey: key });
      this.events.emit("identityChanged", {
        username: leaf.username,
        deviceId: leaf.deviceId,
        ...(conversationId ? { conversationId } : {}),
      });
    }
    throw untrusted(
      `${describe(leaf)} carries an identity key that is not the one pinned for ${leaf.username}`,
    );
  }

  private save(contact: ContactRecord): Promise<void> {
    return this.store.write({ meta: contactMeta(contact) });
  }
}

/** A pinned key, or a new one brought by a pinned device of the same user. */
function accepts(c: ContactRecord, username: string, key: string, voucher: Voucher | undefined): boolean {
  return (
    c.identityKeys.includes(key) || (voucher?.username === username && c.identityKeys.includes(voucher.key))
  );
}

/** The contact with this leaf's key and device pinned (a new contact: trust on first use). */
function pinned(c: ContactRecord | undefined, leaf: LeafView, key: string): ContactRecord {
  const keys = c?.identityKeys ?? [];
  const devices = c?.devices ?? [];
  return {
    username: leaf.username,
    identityKeys: keys.includes(key) ? keys : [...keys, key],
    state: c?.state ?? "unverified",
    ...(c?.pendingKey ? { pendingKey: c.pendingKey } : {}),
    devices: devices.includes(leaf.deviceId) ? devices : [...devices, leaf.deviceId],
  };
}

/** A `changed` contact's new key joins the pinned ones (its other devices keep theirs). */
function replacePending(c: ContactRecord, state: "verified" | "unverified"): ContactRecord {
  const pending = c.state === "changed" && c.pendingKey ? [c.pendingKey] : [];
  return { username: c.username, identityKeys: [...c.identityKeys, ...pending], state, devices: c.devices };
}

/** The identity key (hex) of the leaf's valid binding, or undefined. */
function bindingKey(leaf: LeafView): string | undefined {
  const binding = bindingOf(leaf.extensions);
  if (!binding) return undefined;
  const check = verifyBinding(binding, leaf.username, leaf.signatureKey);
  return check.valid ? toHex(check.identityKey) : undefined;
}

function leafView(m: Member): LeafView {
  const a = addressOf(m);
  return {
    leafIndex: m.leafIndex,
    username: a?.username ?? "",
    deviceId: a?.deviceId ?? "",
    signatureKey: m.signatureKey,
    extensions: m.extensions,
  };
}

const identityOf = (m: Member) => (m.credential.type === "basic" ? toHex(m.credential.identity) : "");
const sameCredential = (a: Member, b: Member) => identityOf(a) === identityOf(b);

function sameLeaf(a: Member | undefined, b: Member): boolean {
  const binding = (m: Member) => toHex(bindingOf(m.extensions) ?? new Uint8Array());
  return (
    a !== undefined &&
    sameCredential(a, b) &&
    toHex(a.signatureKey) === toHex(b.signatureKey) &&
    binding(a) === binding(b)
  );
}
