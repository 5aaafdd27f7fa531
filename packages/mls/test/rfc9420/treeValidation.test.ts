import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeAll } from "../../src/rfc9420/codec/index.js";
import { cipherSuite } from "../../src/rfc9420/crypto/index.js";
import { level } from "../../src/rfc9420/tree/math.js";
import { invalidParentHashes } from "../../src/rfc9420/tree/parentHash.js";
import { PublicRatchetTree } from "../../src/rfc9420/tree/ratchetTree.js";
import { treeHash } from "../../src/rfc9420/tree/treeHash.js";
import { invalidUnmergedLeaves } from "../../src/rfc9420/tree/unmergedLeaves.js";
import { decodeRatchetTree, type Node, NodeType } from "../../src/rfc9420/wire/index.js";
import { family, hex, mlsVectors, toHex } from "../vectors/files.js";

interface TreeValidation {
  cipher_suite: number;
  tree: string;
  group_id: string;
  tree_hashes: string[];
  resolutions: number[][];
}

const treeOf = (bytes: string) =>
  PublicRatchetTree.fromWire(decodeAll(hex(bytes), decodeRatchetTree, "tree"));

let parentsChecked = 0;
const vectors = family<TreeValidation>("tree-validation", "tree-validation.json", (v) => {
  const suite = cipherSuite(v.cipher_suite);
  const tree = treeOf(v.tree);
  assert.equal(tree.width, v.tree_hashes.length, "node count");
  for (let x = 0; x < tree.width; x++) {
    assert.equal(toHex(treeHash(suite, tree, x)), v.tree_hashes[x], `tree hash of node ${x}`);
    assert.deepEqual(tree.resolution(x), v.resolutions[x], `resolution of node ${x}`);
    if (tree.parentNode(x)) parentsChecked++;
  }
  assert.deepEqual(invalidParentHashes(suite, tree), [], "every parent is parent-hash valid");
});

test(vectors.title, async () => {
  await vectors.run();
  assert.ok(parentsChecked > 100, `${parentsChecked} parent nodes checked`);
});

test("a parent node whose parent hash was altered is found invalid", () => {
  let tampered = 0;
  for (const v of mlsVectors<TreeValidation[]>("tree-validation.json")) {
    const suite = cipherSuite(v.cipher_suite);
    const tree = treeOf(v.tree);
    for (let p = 1; p < tree.width; p += 2) {
      const parentNode = tree.parentNode(p);
      if (!parentNode || parentNode.parentHash.length === 0) continue;
      const parentHash = parentNode.parentHash.slice();
      parentHash[0]! ^= 1;
      const bad = tree.with(
        new Map([[p, { nodeType: NodeType.parent, parentNode: { ...parentNode, parentHash } }]]),
      );
      assert.ok(invalidParentHashes(suite, bad).length > 0, `suite ${v.cipher_suite} node ${p}`);
      tampered++;
    }
  }
  assert.ok(tampered > 50, `${tampered} tampered trees`);
});

test("every vector tree's unmerged leaves are valid, and misplaced or blank unmerged leaves are found", () => {
  let checked = 0;
  for (const v of mlsVectors<TreeValidation[]>("tree-validation.json")) {
    const tree = treeOf(v.tree);
    assert.deepEqual(invalidUnmergedLeaves(tree), [], `suite ${v.cipher_suite}`);
    for (let p = 1; p < tree.width; p += 2) {
      const parentNode = tree.parentNode(p);
      if (!parentNode) continue;
      const notUnder = (i: number) => Math.abs(2 * i - p) > 2 ** level(p) - 1;
      const leaves = Array.from({ length: tree.leafCount }, (_, i) => i);
      const outside = [0, tree.leafCount - 1].filter(notUnder);
      const blankUnder = leaves.filter((i) => !tree.leaf(i) && !notUnder(i)).slice(0, 1);
      for (const leaf of [...outside, tree.leafCount, ...blankUnder]) {
        const node: Node = {
          nodeType: NodeType.parent,
          parentNode: { ...parentNode, unmergedLeaves: [leaf] },
        };
        const bad = invalidUnmergedLeaves(tree.with(new Map([[p, node]])));
        assert.ok(bad.includes(p), `node ${p} leaf ${leaf}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 200, `${checked} bad entries`);
});
