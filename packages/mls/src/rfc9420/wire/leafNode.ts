import type { Reader, Writer } from "../codec/index.js";
import { type Capabilities, decodeCapabilities, encodeCapabilities } from "./capabilities.js";
import { type Credential, decodeCredential, encodeCredential } from "./credential.js";
import { decodeExtensions, type Extension, encodeExtensions } from "./extension.js";
import { decodeLifetime, encodeLifetime, type Lifetime } from "./lifetime.js";
import { LeafNodeSource } from "./registry.js";

/** §7.2: how a leaf node came to be, with what each source carries. */
export type LeafNodeSourceFields =
  | { readonly leafNodeSource: typeof LeafNodeSource.keyPackage; readonly lifetime: Lifetime }
  | { readonly leafNodeSource: typeof LeafNodeSource.update }
  | { readonly leafNodeSource: typeof LeafNodeSource.commit; readonly parentHash: Uint8Array };

/** The signed content of a leaf node, without its source-dependent part and signature. */
export interface LeafNodeCore {
  readonly encryptionKey: Uint8Array;
  readonly signatureKey: Uint8Array;
  readonly credential: Credential;
  readonly capabilities: Capabilities;
  readonly extensions: readonly Extension[];
}

/** §7.2 LeafNode. */
export type LeafNode = LeafNodeCore & LeafNodeSourceFields & { readonly signature: Uint8Array };

function decodeSource(r: Reader): LeafNodeSourceFields {
  const leafNodeSource = r.uint8("LeafNode.leaf_node_source");
  switch (leafNodeSource) {
    case LeafNodeSource.keyPackage:
      return { leafNodeSource, lifetime: decodeLifetime(r) };
    case LeafNodeSource.update:
      return { leafNodeSource };
    case LeafNodeSource.commit:
      return { leafNodeSource, parentHash: r.opaque("LeafNode.parent_hash") };
    default:
      return r.fail("LeafNode.leaf_node_source", `unknown leaf node source ${leafNodeSource}`);
  }
}

export function decodeLeafNode(r: Reader): LeafNode {
  const encryptionKey = r.opaque("LeafNode.encryption_key");
  const signatureKey = r.opaque("LeafNode.signature_key");
  const credential = decodeCredential(r);
  const capabilities = decodeCapabilities(r);
  const source = decodeSource(r);
  const extensions = decodeExtensions(r, "LeafNode.extensions");
  const signature = r.opaque("LeafNode.signature");
  return { encryptionKey, signatureKey, credential, capabilities, ...source, extensions, signature };
}

/** The leaf node's fields up to its signature: the start of LeafNodeTBS. */
export function encodeLeafNodeContent(w: Writer, leaf: LeafNodeCore & LeafNodeSourceFields): void {
  w.opaque(leaf.encryptionKey);
  w.opaque(leaf.signatureKey);
  encodeCredential(w, leaf.credential);
  encodeCapabilities(w, leaf.capabilities);
  w.uint8(leaf.leafNodeSource);
  if (leaf.leafNodeSource === LeafNodeSource.keyPackage) encodeLifetime(w, leaf.lifetime);
  else if (leaf.leafNodeSource === LeafNodeSource.commit) w.opaque(leaf.parentHash);
  encodeExtensions(w, leaf.extensions);
}

export function encodeLeafNode(w: Writer, leaf: LeafNode): void {
  encodeLeafNodeContent(w, leaf);
  w.opaque(leaf.signature);
}

/** Where an update or commit leaf sits, which its LeafNodeTBS binds (§7.2). */
export interface LeafNodeLocation {
  readonly groupId: Uint8Array;
  readonly leafIndex: number;
}

/** §7.2 LeafNodeTBS: what the leaf's signature covers. Update and commit leaves need their location. */
export function encodeLeafNodeTbs(
  w: Writer,
  leaf: LeafNodeCore & LeafNodeSourceFields,
  location?: LeafNodeLocation,
): void {
  encodeLeafNodeContent(w, leaf);
  if (leaf.leafNodeSource === LeafNodeSource.keyPackage) return;
  if (!location) {
    w.fail("LeafNodeTBS", "an update or commit leaf node is signed with its group id and leaf index");
  }
  w.opaque(location.groupId);
  w.uint32(location.leafIndex);
}
