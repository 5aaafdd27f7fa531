import type { Reader, Writer } from "../codec/index.js";
import { decodeHpkeCiphertext, encodeHpkeCiphertext, type HpkeCiphertext } from "./hpkeCiphertext.js";
import { decodeLeafNode, encodeLeafNode, type LeafNode } from "./leafNode.js";

/** §7.6 UpdatePathNode: a new parent key and its path secret sealed to each resolution member. */
export interface UpdatePathNode {
  readonly encryptionKey: Uint8Array;
  readonly encryptedPathSecret: readonly HpkeCiphertext[];
}

/** §7.6 UpdatePath: the committer's new leaf and direct path. */
export interface UpdatePath {
  readonly leafNode: LeafNode;
  readonly nodes: readonly UpdatePathNode[];
}

function decodeUpdatePathNode(r: Reader): UpdatePathNode {
  return {
    encryptionKey: r.opaque("UpdatePathNode.encryption_key"),
    encryptedPathSecret: r.vector("UpdatePathNode.encrypted_path_secret", decodeHpkeCiphertext),
  };
}

function encodeUpdatePathNode(w: Writer, n: UpdatePathNode): void {
  w.opaque(n.encryptionKey);
  w.vector(n.encryptedPathSecret, encodeHpkeCiphertext);
}

export function decodeUpdatePath(r: Reader): UpdatePath {
  return { leafNode: decodeLeafNode(r), nodes: r.vector("UpdatePath.nodes", decodeUpdatePathNode) };
}

export function encodeUpdatePath(w: Writer, p: UpdatePath): void {
  encodeLeafNode(w, p.leafNode);
  w.vector(p.nodes, encodeUpdatePathNode);
}
