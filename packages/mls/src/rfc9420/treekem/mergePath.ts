import { ParleyMlsError } from "../../errors.js";
import type { CipherSuite } from "../crypto/index.js";
import { copath, directPath, leafToNode } from "../tree/math.js";
import { parentHash } from "../tree/parentHash.js";
import type { PublicRatchetTree } from "../tree/ratchetTree.js";
import { type LeafNode, type Node, NodeType } from "../wire/index.js";

const EMPTY = new Uint8Array(0);

/**
 * §7.5 and §7.9: the tree with the sender's direct path replaced: the filtered direct path gets the new
 * public keys (no unmerged leaves) and parent hashes chained top-down, the rest of the direct path is
 * blanked. The leaf is left as is; the parent hash it must carry is returned.
 */
export function mergePublicKeys(
  suite: CipherSuite,
  tree: PublicRatchetTree,
  sender: number,
  keys: readonly Uint8Array[],
): { tree: PublicRatchetTree; leafParentHash: Uint8Array } {
  const filtered = tree.filteredDirectPath(sender);
  if (keys.length !== filtered.length)
    throw new ParleyMlsError(
      "invalid",
      `an UpdatePath from leaf ${sender} needs ${filtered.length} nodes, got ${keys.length}`,
    );
  const x = leafToNode(sender);
  const full = directPath(x, tree.leafCount);
  const siblings = copath(x, tree.leafCount);
  let merged = tree.with(new Map(full.map((p) => [p, undefined])));
  let hash: Uint8Array = EMPTY;
  for (let i = filtered.length - 1; i >= 0; i--) {
    const p = filtered[i]!;
    const node: Node = {
      nodeType: NodeType.parent,
      parentNode: { encryptionKey: keys[i]!, parentHash: hash, unmergedLeaves: [] },
    };
    merged = merged.with(new Map([[p, node]]));
    hash = parentHash(suite, merged, p, siblings[full.indexOf(p)]!);
  }
  return { tree: merged, leafParentHash: hash };
}

/** The tree with the sender's new leaf in place. */
export function withLeaf(tree: PublicRatchetTree, sender: number, leafNode: LeafNode): PublicRatchetTree {
  return tree.with(new Map([[leafToNode(sender), { nodeType: NodeType.leaf, leafNode }]]));
}
