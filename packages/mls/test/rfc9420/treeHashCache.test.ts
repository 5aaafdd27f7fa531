import assert from "node:assert/strict";
import { test } from "node:test";
import { type Random, testRandom } from "@parley/testkit";
import { decodeAll } from "../../src/rfc9420/codec/index.js";
import { type CipherSuite, cipherSuite } from "../../src/rfc9420/crypto/index.js";
import { invalidParentHashes } from "../../src/rfc9420/tree/parentHash.js";
import { PublicRatchetTree } from "../../src/rfc9420/tree/ratchetTree.js";
import { treeHash } from "../../src/rfc9420/tree/treeHash.js";
import { invalidUnmergedLeaves } from "../../src/rfc9420/tree/unmergedLeaves.js";
import { decodeRatchetTree, type LeafNode } from "../../src/rfc9420/wire/index.js";
import { hex, mlsVectors, toHex } from "../vectors/files.js";

interface TreeValidation {
  cipher_suite: number;
  tree: string;
}

/** A copy of the tree with an empty memo: every hash computed afresh. */
const fresh = (tree: PublicRatchetTree) => PublicRatchetTree.fromWire(tree.toWire());

const members = (tree: PublicRatchetTree) =>
  Array.from({ length: tree.leafCount }, (_, i) => i).filter((i) => tree.leaf(i));

/** A leaf from the tree with a new random encryption key, so that every add and update changes the hashes. */
function newLeaf(random: Random, tree: PublicRatchetTree): LeafNode {
  const from = tree.leaf(random.pick(members(tree)))!;
  return { ...from, encryptionKey: random.bytes(from.encryptionKey.length) };
}

function step(random: Random, tree: PublicRatchetTree): PublicRatchetTree {
  const present = members(tree);
  const op = random.int(3);
  if (op === 0 || present.length === 1) return tree.add(newLeaf(random, tree)).tree;
  if (op === 1) return tree.remove(random.pick(present));
  return tree.update(random.pick(present), newLeaf(random, tree));
}

/** A suite that counts its hash calls: how many nodes a tree hash actually recomputed. */
function counting(suite: CipherSuite): { suite: CipherSuite; calls: () => number } {
  let calls = 0;
  const counted: CipherSuite = Object.create(suite);
  counted.hash = (data) => {
    calls++;
    return suite.hash(data);
  };
  return { suite: counted, calls: () => calls };
}

test("memoized tree hashes equal from-scratch ones after seeded adds, removes and updates", (t) => {
  const random = testRandom(t);
  const vectors = mlsVectors<TreeValidation[]>("tree-validation.json");
  let steps = 0;
  for (let run = 0; run < 40; run++) {
    const v = random.pick(vectors);
    const suite = cipherSuite(v.cipher_suite);
    let tree = PublicRatchetTree.fromWire(decodeAll(hex(v.tree), decodeRatchetTree, "tree"));
    for (let k = 0; k < 12; k++, steps++) {
      treeHash(suite, tree); // fill the memo, so that the next tree inherits it
      tree = step(random, tree);
      const scratch = fresh(tree);
      for (let x = 0; x < tree.width; x++) {
        assert.equal(
          toHex(treeHash(suite, tree, x)),
          toHex(treeHash(suite, scratch, x)),
          `run ${run} node ${x}`,
        );
      }
      assert.deepEqual(
        invalidParentHashes(suite, tree),
        [],
        `run ${run} step ${k}: parent hashes stay valid`,
      );
      assert.deepEqual(invalidUnmergedLeaves(tree), [], `run ${run} step ${k}: unmerged leaves stay valid`);
    }
  }
  assert.equal(steps, 480);
});

test("after one leaf changes in a 1024-leaf tree, the tree hash recomputes only that leaf's path", (t) => {
  const random = testRandom(t);
  const v = mlsVectors<TreeValidation[]>("tree-validation.json")[0]!;
  const { suite, calls } = counting(cipherSuite(v.cipher_suite));
  let tree = PublicRatchetTree.fromWire(decodeAll(hex(v.tree), decodeRatchetTree, "tree"));
  while (tree.leafCount < 1024 || tree.leftmostBlankLeaf() !== undefined)
    tree = tree.add(newLeaf(random, tree)).tree;
  treeHash(suite, tree);
  const before = calls();
  const updated = tree.update(random.int(1024), newLeaf(random, tree));
  const root = treeHash(suite, updated);
  assert.equal(calls() - before, 11, "the leaf and its 10 ancestors");
  assert.equal(toHex(root), toHex(treeHash(cipherSuite(v.cipher_suite), fresh(updated))));
});
