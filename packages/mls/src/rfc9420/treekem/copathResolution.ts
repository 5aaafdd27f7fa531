import { copath, directPath, isLeaf, leafToNode, nodeToLeaf } from "../tree/math.js";
import type { PublicRatchetTree } from "../tree/ratchetTree.js";

/**
 * §12.4.1: the nodes that node p of the sender's filtered direct path is sealed to: the resolution of p's
 * child off the path, without the commit's joiners (they learn the path secret from the Welcome).
 */
export function copathResolution(
  tree: PublicRatchetTree,
  sender: number,
  p: number,
  joiners: readonly number[],
): number[] {
  const x = leafToNode(sender);
  const sibling = copath(x, tree.leafCount)[directPath(x, tree.leafCount).indexOf(p)]!;
  return tree.resolution(sibling).filter((r) => !(isLeaf(r) && joiners.includes(nodeToLeaf(r))));
}
