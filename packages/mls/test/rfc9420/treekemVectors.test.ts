import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeAll } from "../../src/rfc9420/codec/index.js";
import { cipherSuite } from "../../src/rfc9420/crypto/index.js";
import { PublicRatchetTree } from "../../src/rfc9420/tree/ratchetTree.js";
import { treeHash } from "../../src/rfc9420/tree/treeHash.js";
import { applyUpdatePath, mergeUpdatePath } from "../../src/rfc9420/treekem/applyUpdatePath.js";
import { nodeKeyPair, PrivateTreeView } from "../../src/rfc9420/treekem/pathSecrets.js";
import { decodeRatchetTree, decodeUpdatePath } from "../../src/rfc9420/wire/index.js";
import { family, hex, toHex } from "../vectors/files.js";

interface TreeKem {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  confirmed_transcript_hash: string;
  ratchet_tree: string;
  leaves_private: {
    index: number;
    encryption_priv: string;
    path_secrets: { node: number; path_secret: string }[];
  }[];
  update_paths: {
    sender: number;
    update_path: string;
    path_secrets: (string | null)[];
    commit_secret: string;
    tree_hash_after: string;
  }[];
}

const viewsOf = (v: TreeKem) =>
  v.leaves_private.map((l) =>
    PrivateTreeView.of(
      l.index,
      hex(l.encryption_priv),
      new Map(l.path_secrets.map((s) => [s.node, hex(s.path_secret)])),
    ),
  );

let held = 0;
const keys = family<TreeKem>("treekem private keys", "treekem.json", (v) => {
  const suite = cipherSuite(v.cipher_suite);
  const tree = PublicRatchetTree.fromWire(decodeAll(hex(v.ratchet_tree), decodeRatchetTree, "tree"));
  for (const l of v.leaves_private) {
    for (const { node, path_secret } of l.path_secrets) {
      const key = tree.parentNode(node)?.encryptionKey;
      assert.ok(key, `node ${node} is a non-blank parent`);
      assert.equal(toHex(nodeKeyPair(suite, hex(path_secret)).publicKey), toHex(key), `node ${node}`);
      held++;
    }
  }
});

test(keys.title, async () => {
  await keys.run();
  assert.ok(held > 100, `${held} held path secrets`);
});

let decrypted = 0;
const paths = family<TreeKem>("treekem update paths", "treekem.json", async (v) => {
  const suite = cipherSuite(v.cipher_suite);
  const tree = PublicRatchetTree.fromWire(decodeAll(hex(v.ratchet_tree), decodeRatchetTree, "tree"));
  const context = {
    version: 1,
    cipherSuite: v.cipher_suite,
    groupId: hex(v.group_id),
    epoch: BigInt(v.epoch),
    confirmedTranscriptHash: hex(v.confirmed_transcript_hash),
    extensions: [],
  };
  for (const u of v.update_paths) {
    const path = decodeAll(hex(u.update_path), decodeUpdatePath, "UpdatePath");
    const merged = mergeUpdatePath(suite, tree, u.sender, path);
    assert.equal(
      toHex(treeHash(suite, merged)),
      u.tree_hash_after,
      `tree hash after leaf ${u.sender}'s path`,
    );
    for (const view of viewsOf(v)) {
      const expected = u.path_secrets[view.leafIndex];
      if (view.leafIndex === u.sender) {
        assert.equal(expected, null, "the sender has no path secret to decrypt");
        continue;
      }
      assert.ok(expected, `a path secret for leaf ${view.leafIndex}`);
      const applied = await applyUpdatePath(suite, tree, u.sender, path, view, context);
      assert.equal(toHex(applied.pathSecret), expected, `leaf ${view.leafIndex} from ${u.sender}`);
      assert.equal(toHex(applied.commitSecret), u.commit_secret, `commit secret at ${view.leafIndex}`);
      assert.equal(toHex(treeHash(suite, applied.tree)), u.tree_hash_after);
      const ancestor = applied.view.privateKey(suite, tree.filteredDirectPath(u.sender).at(-1)!);
      assert.ok(ancestor, "the receiver holds the root's key after applying");
      decrypted++;
    }
  }
});

test(paths.title, async () => {
  await paths.run();
  assert.ok(decrypted > 2000, `${decrypted} decryptions`);
});
