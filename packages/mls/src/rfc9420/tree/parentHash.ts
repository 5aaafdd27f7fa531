import { ParleyMlsError } from "../../errors.js";
import { encodeWith } from "../codec/index.js";
import type { CipherSuite } from "../crypto/index.js";
import { LeafNodeSource, type Node, NodeType } from "../wire/index.js";
import { isLeaf, leafToNode, left, level, right } from "./math.js";
import type { PublicRatchetTree } from "./ratchetTree.js";
import { inSubtree } from "./subtree.js";
import { treeHash } from "./treeHash.js";

/**
 * §7.9: the parent hash that P's child on the path carries: Hash(ParentHashInput) over P's key, P's own
 * parent hash and the original tree hash of P's other child `sibling`.
 */
export function parentHash(
  suite: CipherSuite,
  tree: PublicRatchetTree,
  p: number,
  sibling: number,
): Uint8Array {
  const parent = tree.parentNode(p);
  if (!parent) throw new ParleyMlsError("usage", `node ${p} is not a non-blank parent`);
  const input = encodeWith(null, (w) => {
    w.opaque(parent.encryptionKey);
    w.opaque(parent.parentHash);
    w.opaque(originalSiblingTreeHash(suite, tree, parent.unmergedLeaves, sibling));
  });
  return suite.hash(input);
}

/**
 * §7.9.1: the sibling's tree hash as it was when P was set: P's unmerged leaves (added since) blanked and
 * dropped from the unmerged leaves of the parents under the sibling.
 */
function originalSiblingTreeHash(
  suite: CipherSuite,
  tree: PublicRatchetTree,
  unmerged: readonly number[],
  sibling: number,
): Uint8Array {
  const under = unmerged.filter((leaf) => inSubtree(leafToNode(leaf), sibling));
  if (under.length === 0) return treeHash(suite, tree, sibling);
  const changes = new Map<number, Node | undefined>(under.map((leaf) => [leafToNode(leaf), undefined]));
  for (const x of subtreeNodes(sibling, tree.width)) {
    const node = tree.parentNode(x);
    if (!node) continue;
    const unmergedLeaves = node.unmergedLeaves.filter((leaf) => !under.includes(leaf));
    if (unmergedLeaves.length === node.unmergedLeaves.length) continue;
    changes.set(x, { nodeType: NodeType.parent, parentNode: { ...node, unmergedLeaves } });
  }
  return treeHash(suite, tree.with(changes), sibling);
}

/** The parent hash a node carries: a parent's field, a commit leaf's field, none for other leaves. */
function carriedParentHash(tree: PublicRatchetTree, x: number): Uint8Array | undefined {
  const node = tree.node(x);
  if (node?.nodeType === NodeType.parent) return node.parentNode.parentHash;
  if (node?.leafNode.leafNodeSource === LeafNodeSource.commit) return node.leafNode.parentHash;
  return undefined;
}

/**
 * §7.9.2: P is parent-hash valid with respect to child C (sibling S) when some D in C's resolution carries
 * P's parent hash and the rest of that resolution is exactly P's unmerged leaves under C.
 */
function validWithRespectTo(
  suite: CipherSuite,
  tree: PublicRatchetTree,
  p: number,
  c: number,
  s: number,
): boolean {
  const expected = parentHash(suite, tree, p, s);
  const unmergedUnderC = tree
    .parentNode(p)!
    .unmergedLeaves.map(leafToNode)
    .filter((x) => inSubtree(x, c));
  const resolution = tree.resolution(c);
  return resolution.some((d) => {
    const carried = carriedParentHash(tree, d);
    if (!carried || !equal(carried, expected)) return false;
    const rest = resolution.filter((x) => x !== d);
    return rest.length === unmergedUnderC.length && rest.every((x) => unmergedUnderC.includes(x));
  });
}

/** §7.9.2: whether node p (a non-blank parent) is parent-hash valid with respect to either child. */
export function parentHashValid(suite: CipherSuite, tree: PublicRatchetTree, p: number): boolean {
  const [l, r] = [left(p), right(p, tree.leafCount)];
  return validWithRespectTo(suite, tree, p, l, r) || validWithRespectTo(suite, tree, p, r, l);
}

/** §7.9.2: the non-blank parent nodes that are not parent-hash valid; a valid tree has none. */
export function invalidParentHashes(suite: CipherSuite, tree: PublicRatchetTree): number[] {
  const invalid: number[] = [];
  for (let p = 1; p < tree.width; p += 2) {
    if (tree.parentNode(p) && !parentHashValid(suite, tree, p)) invalid.push(p);
  }
  return invalid;
}

function* subtreeNodes(s: number, width: number): Generator<number> {
  if (isLeaf(s)) return;
  const half = 2 ** level(s) - 1;
  for (let x = s - half; x <= Math.min(s + half, width - 1); x++) yield x;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
