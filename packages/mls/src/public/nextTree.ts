import {
  addLeafNode,
  applyUpdatePath,
  type LeafNode,
  type RatchetTree,
  removeLeafNode,
  type UpdatePath,
} from "../engine.js";
import type { MlsSuite } from "../suite.js";
import { CommitCheckError } from "./types.js";

/** RFC 9420 §12.3: the tree after a commit's proposals, Removes first, then Adds into the leftmost blank leaves. */
export function treeAfterProposals(
  tree: RatchetTree,
  removed: readonly number[],
  added: readonly LeafNode[],
): RatchetTree {
  let next = tree;
  for (const leafIndex of removed) next = removeLeafNode(next, leafIndex as never);
  for (const leaf of added) next = addLeafNode(next, leaf)[0];
  return next;
}

/** Where an external committer's leaf goes (RFC 9420 §12.4.3.2): the leftmost blank leaf, or a new one. */
export function joinerLeafIndex(tree: RatchetTree, leaf: LeafNode): number {
  return (addLeafNode(tree, leaf)[1] as number) / 2;
}

/** RFC 9420 §7.5: the committer's new leaf and direct path; an external committer's leaf is added first. */
export async function treeAfterPath(
  tree: RatchetTree,
  path: UpdatePath,
  committerLeaf: number,
  external: boolean,
  suite: MlsSuite,
): Promise<RatchetTree> {
  const base = external ? addLeafNode(tree, path.leafNode)[0] : tree;
  try {
    return await applyUpdatePath(base, committerLeaf as never, path, suite.impl.hash, external);
  } catch (err) {
    const detail = err instanceof Error ? err.message : "invalid";
    throw new CommitCheckError("bad_path", `the UpdatePath does not apply to the tree: ${detail}`);
  }
}
