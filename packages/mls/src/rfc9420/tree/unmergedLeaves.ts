import { directPath, leafToNode } from "./math.js";
import type { PublicRatchetTree } from "./ratchetTree.js";
import { inSubtree } from "./subtree.js";

/**
 * §12.4.3.1: the non-blank parents whose unmerged leaves break the rules: each entry must be a non-blank
 * leaf under the parent, and every non-blank parent between them must list it too. A valid tree has none.
 */
export function invalidUnmergedLeaves(tree: PublicRatchetTree): number[] {
  const invalid: number[] = [];
  for (let p = 1; p < tree.width; p += 2) {
    const parentNode = tree.parentNode(p);
    if (parentNode && !parentNode.unmergedLeaves.every((leaf) => validEntry(tree, p, leaf))) invalid.push(p);
  }
  return invalid;
}

function validEntry(tree: PublicRatchetTree, p: number, leaf: number): boolean {
  if (leaf >= tree.leafCount || !tree.leaf(leaf)) return false;
  const x = leafToNode(leaf);
  if (!inSubtree(x, p)) return false;
  // Every non-blank parent strictly between the leaf and p lists the leaf as well.
  for (const q of directPath(x, tree.leafCount)) {
    if (q === p) return true;
    const between = tree.parentNode(q);
    if (between && !between.unmergedLeaves.includes(leaf)) return false;
  }
  return false;
}
