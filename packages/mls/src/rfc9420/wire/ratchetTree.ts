import type { Reader, Writer } from "../codec/index.js";
import { decodeLeafNode, encodeLeafNode, type LeafNode } from "./leafNode.js";
import { NodeType } from "./registry.js";

/** §7.1 ParentNode. */
export interface ParentNode {
  readonly encryptionKey: Uint8Array;
  readonly parentHash: Uint8Array;
  readonly unmergedLeaves: readonly number[];
}

/** §12.4.3.3 Node: a leaf or a parent. */
export type Node =
  | { readonly nodeType: typeof NodeType.leaf; readonly leafNode: LeafNode }
  | { readonly nodeType: typeof NodeType.parent; readonly parentNode: ParentNode };

/** §12.4.3.3 the ratchet tree as sent: nodes in array order (leaves even, parents odd), blanks undefined. */
export type RatchetTree = readonly (Node | undefined)[];

function decodeParentNode(r: Reader): ParentNode {
  return {
    encryptionKey: r.opaque("ParentNode.encryption_key"),
    parentHash: r.opaque("ParentNode.parent_hash"),
    unmergedLeaves: r.vector("ParentNode.unmerged_leaves", (x) => x.uint32("ParentNode.unmerged_leaves")),
  };
}

function encodeParentNode(w: Writer, p: ParentNode): void {
  w.opaque(p.encryptionKey);
  w.opaque(p.parentHash);
  w.vector(p.unmergedLeaves, (x, leaf) => x.uint32(leaf));
}

export function decodeNode(r: Reader): Node {
  const nodeType = r.uint8("Node.node_type");
  if (nodeType === NodeType.leaf) return { nodeType, leafNode: decodeLeafNode(r) };
  if (nodeType === NodeType.parent) return { nodeType, parentNode: decodeParentNode(r) };
  return r.fail("Node.node_type", `unknown node type ${nodeType}`);
}

export function encodeNode(w: Writer, n: Node): void {
  w.uint8(n.nodeType);
  if (n.nodeType === NodeType.leaf) encodeLeafNode(w, n.leafNode);
  else encodeParentNode(w, n.parentNode);
}

/** `optional<Node> ratchet_tree<V>`. Tree-shape rules (leaf/parent positions, trailing blanks) are tree/'s. */
export function decodeRatchetTree(r: Reader): RatchetTree {
  return r.vector("ratchet_tree", (x) => x.optional("ratchet_tree.node", decodeNode));
}

export function encodeRatchetTree(w: Writer, tree: RatchetTree): void {
  w.vector(tree, (x, node) => x.optional(node, encodeNode));
}
