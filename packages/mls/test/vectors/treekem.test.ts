import assert from "node:assert/strict";
import { test } from "node:test";
import { applyUpdatePathSecret } from "ts-mls/createCommit.js";
import { getCiphersuiteNameFromId } from "ts-mls/crypto/ciphersuite.js";
import { deriveSecret } from "ts-mls/crypto/kdf.js";
import type { GroupContext } from "ts-mls/groupContext.js";
import { pathToRoot } from "ts-mls/pathSecrets.js";
import { toPrivateKeyPath } from "ts-mls/privateKeyPath.js";
import { decodeRatchetTree, type RatchetTree } from "ts-mls/ratchetTree.js";
import { treeHashRoot } from "ts-mls/treeHash.js";
import { leafWidth, root } from "ts-mls/treemath.js";
import { applyUpdatePath, decodeUpdatePath } from "ts-mls/updatePath.js";
import { family, hex, suiteImpl, toHex } from "./files.js";

interface TreeKem {
  cipher_suite: number;
  group_id: string;
  epoch: number;
  confirmed_transcript_hash: string;
  ratchet_tree: string;
  leaves_private: {
    index: number;
    encryption_priv: string;
    signature_priv: string;
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

const treekem = family<TreeKem>("treekem", "treekem.json", async (v) => {
  const cs = await suiteImpl(v.cipher_suite);
  const tree = decodeRatchetTree(hex(v.ratchet_tree), 0)?.[0];
  assert.ok(tree, "tree decodes");

  // Every member's private view: its leaf key plus the keys derived from its path secrets, which must match the
  // public keys in the tree (DeriveKeyPair on the node secret).
  const privateViews = new Map<number, { leafIndex: number; privateKeys: Record<number, Uint8Array> }>();
  for (const leaf of v.leaves_private) {
    const secrets = Object.fromEntries(leaf.path_secrets.map((p) => [p.node, hex(p.path_secret)]));
    const derived = await toPrivateKeyPath(secrets, leaf.index, cs);
    for (const p of leaf.path_secrets) {
      const { publicKey } = await cs.hpke.deriveKeyPair(
        await deriveSecret(hex(p.path_secret), "node", cs.kdf),
      );
      const parent: RatchetTree[number] | undefined = tree[p.node];
      assert.ok(parent?.nodeType === "parent", `node ${p.node} is a parent`);
      assert.equal(
        toHex(await cs.hpke.exportPublicKey(publicKey)),
        toHex(parent.parent.hpkePublicKey),
        `node ${p.node}`,
      );
    }
    privateViews.set(leaf.index, {
      leafIndex: leaf.index,
      privateKeys: { ...derived.privateKeys, [leaf.index * 2]: hex(leaf.encryption_priv) },
    });
  }

  for (const u of v.update_paths) {
    const path = decodeUpdatePath(hex(u.update_path), 0)?.[0];
    assert.ok(path, "update path decodes");
    const after = await applyUpdatePath(tree, u.sender as never, path, cs.hash);
    const treeHash = await treeHashRoot(after, cs.hash);
    assert.equal(toHex(treeHash), u.tree_hash_after, `sender ${u.sender}: tree hash after`);
    const context: GroupContext = {
      version: "mls10",
      cipherSuite: getCiphersuiteNameFromId(v.cipher_suite as never),
      groupId: hex(v.group_id),
      epoch: BigInt(v.epoch),
      treeHash,
      confirmedTranscriptHash: hex(v.confirmed_transcript_hash),
      extensions: [],
    };
    for (const [receiver, expected] of u.path_secrets.entries()) {
      const view = privateViews.get(receiver);
      if (expected === null || view === undefined) continue;
      const { nodeIndex, pathSecret } = await applyUpdatePathSecret(
        after,
        view,
        u.sender as never,
        context,
        path,
        [],
        cs,
      );
      assert.equal(toHex(pathSecret), expected, `sender ${u.sender} → leaf ${receiver}: path secret`);
      const toRoot = await pathToRoot(after, nodeIndex as never, pathSecret, cs.kdf);
      const rootPathSecret = toRoot[root(leafWidth(after.length))];
      assert.ok(rootPathSecret, "root path secret");
      assert.equal(
        toHex(await deriveSecret(rootPathSecret, "path", cs.kdf)),
        u.commit_secret,
        "commit secret",
      );
    }
  }
});

test(treekem.title, treekem.run);
