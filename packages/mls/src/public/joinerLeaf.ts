import { findBlankLeafNodeIndexOrExtend, type RatchetTree, removeLeaves } from "../engine.js";
import type { PublicMember } from "./types.js";

/** Where an external joiner lands (RFC 9420 §12.4.3.2): the leftmost blank leaf once its Removes apply. */
export function joinerLeafIndex(tree: RatchetTree, removed: readonly PublicMember[]): number {
  const after = removeLeaves(
    tree,
    removed.map((m) => m.leafIndex as never),
  );
  return (findBlankLeafNodeIndexOrExtend(after) as number) / 2;
}
