import assert from "node:assert/strict";
import { test } from "node:test";
import { ParleyMlsError } from "../../src/errors.js";
import { decodeAll, encodeWith } from "../../src/rfc9420/codec/index.js";
import { cipherSuite } from "../../src/rfc9420/crypto/index.js";
import { PublicRatchetTree } from "../../src/rfc9420/tree/ratchetTree.js";
import { treeHash } from "../../src/rfc9420/tree/treeHash.js";
import {
  decodeProposal,
  decodeRatchetTree,
  encodeRatchetTree,
  NodeType,
  type Proposal,
  ProposalType,
} from "../../src/rfc9420/wire/index.js";
import { family, hex, mlsVectors, toHex } from "../vectors/files.js";

interface TreeOperation {
  cipher_suite: number;
  tree_before: string;
  proposal: string;
  proposal_sender: number;
  tree_after: string;
  tree_hash_before: string;
  tree_hash_after: string;
}

/** §12.1: what each proposal does to the tree; the sender is the updating member for an Update. */
function apply(tree: PublicRatchetTree, proposal: Proposal, sender: number): PublicRatchetTree {
  switch (proposal.proposalType) {
    case ProposalType.add:
      return tree.add(proposal.keyPackage.leafNode).tree;
    case ProposalType.update:
      return tree.update(sender, proposal.leafNode);
    case ProposalType.remove:
      return tree.remove(proposal.removed);
    default:
      throw new Error(`proposal type ${proposal.proposalType} does not change the tree`);
  }
}

const seen = new Set<number>();
const vectors = family<TreeOperation>("tree-operations", "tree-operations.json", (v) => {
  const suite = cipherSuite(v.cipher_suite);
  const before = PublicRatchetTree.fromWire(decodeAll(hex(v.tree_before), decodeRatchetTree, "tree_before"));
  assert.equal(toHex(treeHash(suite, before)), v.tree_hash_before, "tree hash before");
  const proposal = decodeAll(hex(v.proposal), decodeProposal, "proposal");
  seen.add(proposal.proposalType);
  const after = apply(before, proposal, v.proposal_sender);
  assert.equal(toHex(encodeWith(after.toWire(), encodeRatchetTree)), v.tree_after, "tree after");
  assert.equal(toHex(treeHash(suite, after)), v.tree_hash_after, "tree hash after");
});

test(vectors.title, async () => {
  await vectors.run();
  assert.deepEqual([...seen].sort(), [ProposalType.add, ProposalType.update, ProposalType.remove]);
});

const invalid = (err: unknown) => err instanceof ParleyMlsError && err.code === "invalid";

test("a received tree of the wrong shape, and operations on blank leaves, are refused as invalid", () => {
  const v = mlsVectors<TreeOperation[]>("tree-operations.json")[0]!;
  const nodes = decodeAll(hex(v.tree_before), decodeRatchetTree, "tree_before");
  const leaf = nodes[0]!;
  assert.throws(() => PublicRatchetTree.fromWire([]), invalid);
  assert.throws(() => PublicRatchetTree.fromWire(nodes.slice(0, 2)), invalid);
  assert.throws(() => PublicRatchetTree.fromWire([leaf, undefined, undefined]), invalid);
  assert.throws(() => PublicRatchetTree.fromWire([leaf, leaf, leaf]), invalid);
  const tree = PublicRatchetTree.fromWire([leaf]);
  const { tree: two, leafIndex } = tree.add(leaf.nodeType === NodeType.leaf ? leaf.leafNode : assert.fail());
  assert.equal(leafIndex, 1);
  const one = two.remove(1);
  assert.equal(one.leafCount, 1);
  assert.throws(
    () => one.remove(1),
    (err) => err instanceof ParleyMlsError && err.code === "usage",
  );
  assert.throws(() => two.remove(0).update(0, two.leaf(1)!), invalid);
});

test("the filtered direct path skips ancestors whose copath child resolves to nothing", () => {
  const v = mlsVectors<TreeOperation[]>("tree-operations.json")[0]!;
  const node = decodeAll(hex(v.tree_before), decodeRatchetTree, "tree_before")[0]!;
  const tree = PublicRatchetTree.fromWire([node, undefined, undefined, undefined, node]); // members 0 and 2
  assert.equal(tree.leafCount, 4);
  assert.deepEqual(tree.filteredDirectPath(0), [3]);
  assert.deepEqual(tree.filteredDirectPath(2), [3]);
  assert.deepEqual(tree.resolution(3), [0, 4]);
  assert.equal(tree.leftmostBlankLeaf(), 1);
  const full = tree.add(tree.leaf(0)!).tree.add(tree.leaf(0)!).tree;
  assert.deepEqual(full.filteredDirectPath(0), [1, 3]);
  assert.equal(full.leftmostBlankLeaf(), undefined);
});
