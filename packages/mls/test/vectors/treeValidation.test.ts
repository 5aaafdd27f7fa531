import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultAuthenticationService } from "ts-mls/authenticationService.js";
import { validateRatchetTree } from "ts-mls/clientState.js";
import { getCiphersuiteNameFromId } from "ts-mls/crypto/ciphersuite.js";
import type { GroupContext } from "ts-mls/groupContext.js";
import { decodeRatchetTree, resolution } from "ts-mls/ratchetTree.js";
import { treeHash, treeHashRoot } from "ts-mls/treeHash.js";
import { family, hex, suiteImpl, toHex } from "./files.js";

interface TreeValidation {
  cipher_suite: number;
  tree: string;
  group_id: string;
  resolutions: number[][];
  tree_hashes: string[];
}

/*
 * Every tree in this file is valid. ts-mls 1.6.4 as published rejects one per suite (it wants the same
 * unmerged_leaves list on every ancestor of an unmerged leaf); scripts/patch-ts-mls.mjs, run at install, brings
 * that check to RFC 9420 §12.4.3.1, and this test holds it there.
 */
const validation = family<TreeValidation>("tree-validation", "tree-validation.json", async (v, index) => {
  const cs = await suiteImpl(v.cipher_suite);
  const decoded = decodeRatchetTree(hex(v.tree), 0);
  assert.ok(decoded, "tree decodes");
  const tree = decoded[0];
  for (const [i, expected] of v.tree_hashes.entries()) {
    assert.equal(toHex(await treeHash(tree, i as never, cs.hash)), expected, `tree hash of node ${i}`);
  }
  for (const [i, expected] of v.resolutions.entries()) {
    assert.deepEqual(resolution(tree, i as never), expected, `resolution of node ${i}`);
  }
  // Parent hashes, leaf signatures (over the group id) and key uniqueness: the tree must be valid.
  const root = await treeHashRoot(tree, cs.hash);
  const context = {
    version: "mls10",
    cipherSuite: getCiphersuiteNameFromId(v.cipher_suite as never),
    groupId: hex(v.group_id),
    epoch: 0n,
    treeHash: root,
    confirmedTranscriptHash: new Uint8Array(),
    extensions: [],
  } as GroupContext;
  const error = await validateRatchetTree(
    tree,
    context,
    { maximumTotalLifetime: 2n ** 64n, validateLifetimeOnReceive: false },
    defaultAuthenticationService,
    root,
    cs,
  );
  assert.equal(error, undefined, `tree ${index} validates: ${error?.message}`);
});

test(validation.title, validation.run);
