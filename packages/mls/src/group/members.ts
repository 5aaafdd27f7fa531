import { fromEngineCredential, type MemberCredential } from "../credential.js";
import type { ClientState } from "../engine.js";
import { fromEngineExtensions, type LeafExtension } from "../identity/leafExtensions.js";

/** A leaf of the ratchet tree: one member device. */
export interface Member {
  readonly leafIndex: number;
  readonly credential: MemberCredential;
  readonly signatureKey: Uint8Array;
  /** The leaf's HPKE encryption key; changes on every update or commit path. */
  readonly encryptionKey: Uint8Array;
  /** The leaf node's extensions (a Parley device binding among them). */
  readonly extensions: readonly LeafExtension[];
}

export function membersOf(state: ClientState): Member[] {
  const members: Member[] = [];
  const tree = state.ratchetTree;
  for (let nodeIndex = 0; nodeIndex < tree.length; nodeIndex += 2) {
    const node = tree[nodeIndex];
    if (node?.nodeType !== "leaf") continue;
    members.push({
      leafIndex: nodeIndex / 2,
      credential: fromEngineCredential(node.leaf.credential),
      signatureKey: node.leaf.signaturePublicKey,
      encryptionKey: node.leaf.hpkePublicKey,
      extensions: fromEngineExtensions(node.leaf.extensions),
    });
  }
  return members;
}

/** Who joined and who left between two member lists (a replaced leaf counts as both). */
export function membershipChange(before: Member[], after: Member[]): { added: Member[]; removed: Member[] } {
  const key = (m: Member) => `${m.leafIndex}:${Buffer.from(m.signatureKey).toString("base64")}`;
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  return {
    added: after.filter((m) => !beforeKeys.has(key(m))),
    removed: before.filter((m) => !afterKeys.has(key(m))),
  };
}
