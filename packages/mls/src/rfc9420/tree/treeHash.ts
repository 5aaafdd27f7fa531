import { encodeWith, type Writer } from "../codec/index.js";
import type { CipherSuite } from "../crypto/index.js";
import { encodeLeafNode, type Node, NodeType } from "../wire/index.js";
import { isLeaf, left, nodeToLeaf, right, root } from "./math.js";
import type { PublicRatchetTree } from "./ratchetTree.js";

/** §7.8 TreeHashInput of node x, given its children's tree hashes for a parent. */
export function encodeTreeHashInput(
  w: Writer,
  x: number,
  node: Node | undefined,
  children?: readonly [Uint8Array, Uint8Array],
): void {
  if (isLeaf(x)) {
    w.uint8(NodeType.leaf);
    w.uint32(nodeToLeaf(x));
    w.optional(node?.nodeType === NodeType.leaf ? node.leafNode : undefined, encodeLeafNode);
    return;
  }
  const parentNode = node?.nodeType === NodeType.parent ? node.parentNode : undefined;
  w.uint8(NodeType.parent);
  w.optional(parentNode, (x, p) => {
    x.opaque(p.encryptionKey);
    x.opaque(p.parentHash);
    x.vector(p.unmergedLeaves, (y, leaf) => y.uint32(leaf));
  });
  w.opaque(children![0]);
  w.opaque(children![1]);
}

/**
 * §7.8: the tree hash of the subtree under node x (the root by default). Hashes are memoized per node in
 * the tree, so after a change only the changed paths are hashed again.
 */
export function treeHash(suite: CipherSuite, tree: PublicRatchetTree, x = root(tree.leafCount)): Uint8Array {
  const known = tree.memo.get(suite.id, x);
  if (known) return known;
  const children = isLeaf(x)
    ? undefined
    : ([treeHash(suite, tree, left(x)), treeHash(suite, tree, right(x, tree.leafCount))] as const);
  const hash = suite.hash(encodeWith(tree.node(x), (w, node) => encodeTreeHashInput(w, x, node, children)));
  tree.memo.set(suite.id, x, hash);
  return hash;
}
