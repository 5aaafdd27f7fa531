import assert from "node:assert/strict";
import { test } from "node:test";
import { type Random, testRandom } from "@parley/testkit";
import { ParleyMlsError } from "../../src/errors.js";
import { decodeAll, encodeWith } from "../../src/rfc9420/codec/index.js";
import { type CipherSuite, cipherSuite } from "../../src/rfc9420/crypto/index.js";
import { commonAncestor, copath, directPath, leafToNode, root } from "../../src/rfc9420/tree/math.js";
import { PublicRatchetTree } from "../../src/rfc9420/tree/ratchetTree.js";
import { treeHash } from "../../src/rfc9420/tree/treeHash.js";
import { applyUpdatePath, mergeUpdatePath } from "../../src/rfc9420/treekem/applyUpdatePath.js";
import { createUpdatePath } from "../../src/rfc9420/treekem/createUpdatePath.js";
import { mergePublicKeys } from "../../src/rfc9420/treekem/mergePath.js";
import { nodeKeyPair, PrivateTreeView } from "../../src/rfc9420/treekem/pathSecrets.js";
import {
  decodeRatchetTree,
  encodeGroupContext,
  type LeafNode,
  LeafNodeSource,
  NodeType,
  type UpdatePath,
} from "../../src/rfc9420/wire/index.js";
import { hex, mlsVectors, toHex } from "../vectors/files.js";

interface TreeKem {
  cipher_suite: number;
  ratchet_tree: string;
  leaves_private: {
    index: number;
    encryption_priv: string;
    path_secrets: { node: number; path_secret: string }[];
  }[];
}

const context = (suite: CipherSuite) => ({
  version: 1,
  cipherSuite: suite.id,
  groupId: new Uint8Array([1, 2, 3]),
  epoch: 7n,
  confirmedTranscriptHash: new Uint8Array(suite.Nh),
  extensions: [],
});

/** A commit leaf node from the committer's old one; signatures are not TreeKEM's concern. */
const commitLeaf = (old: LeafNode) => async (encryptionKey: Uint8Array, parentHash: Uint8Array) =>
  ({ ...old, encryptionKey, leafNodeSource: LeafNodeSource.commit, parentHash }) as LeafNode;

function setup(v: TreeKem) {
  const suite = cipherSuite(v.cipher_suite);
  const tree = PublicRatchetTree.fromWire(decodeAll(hex(v.ratchet_tree), decodeRatchetTree, "tree"));
  const views = v.leaves_private.map((l) =>
    PrivateTreeView.of(
      l.index,
      hex(l.encryption_priv),
      new Map(l.path_secrets.map((s) => [s.node, hex(s.path_secret)])),
    ),
  );
  return { suite, tree, views };
}

async function create(
  suite: CipherSuite,
  tree: PublicRatchetTree,
  view: PrivateTreeView,
  random: Random,
  joiners: number[] = [],
) {
  return createUpdatePath(suite, tree, view, context(suite), {
    joiners,
    pathSecret: random.bytes(suite.Nh),
    leafNode: commitLeaf(tree.leaf(view.leafIndex)!),
  });
}

/** One vector case per suite and tree size, so every suite and several sizes are covered. */
function cases(): TreeKem[] {
  const seen = new Set<string>();
  return mlsVectors<TreeKem[]>("treekem.json").filter((v) => {
    const key = `${v.cipher_suite}/${setup(v).tree.leafCount}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

test("an UpdatePath created by any member is applied by every other member to the same secrets", async (t) => {
  const random = testRandom(t);
  const sizes = new Set<number>();
  let applied = 0;
  for (const v of cases()) {
    const { suite, tree, views } = setup(v);
    sizes.add(tree.leafCount);
    const committer = random.pick(views);
    const made = await create(suite, tree, committer, random);
    for (const view of views.filter((w) => w !== committer)) {
      const got = await applyUpdatePath(suite, tree, committer.leafIndex, made.path, view, context(suite));
      const ancestor = commonAncestor(
        leafToNode(committer.leafIndex),
        leafToNode(view.leafIndex),
        tree.leafCount,
      );
      assert.equal(toHex(got.pathSecret), toHex(made.pathSecrets.get(ancestor)!), `leaf ${view.leafIndex}`);
      assert.equal(toHex(got.commitSecret), toHex(made.commitSecret));
      assert.equal(toHex(treeHash(suite, got.tree)), toHex(treeHash(suite, made.tree)));
      applied++;
    }
  }
  assert.ok(sizes.size >= 3, `tree sizes ${[...sizes]}`);
  assert.ok(applied >= 40, `${applied} applications`);
});

test("joiners get no ciphertext and the other members still decrypt", async (t) => {
  const random = testRandom(t);
  const { suite, tree, views } = setup(cases().find((v) => setup(v).tree.leafCount >= 8)!);
  const committer = views[0]!;
  assert.equal(committer.leafIndex, 0);
  const { tree: grown, leafIndex: joiner } = tree.add(tree.leaf(committer.leafIndex)!);
  const plain = await create(suite, grown, committer, random);
  const made = await create(suite, grown, committer, random, [joiner]);
  const count = (p: UpdatePath) => p.nodes.reduce((n, node) => n + node.encryptedPathSecret.length, 0);
  assert.equal(count(made.path), count(plain.path) - 1, "one ciphertext fewer: the joiner's");
  for (const view of views.slice(1)) {
    const got = await applyUpdatePath(suite, grown, 0, made.path, view, context(suite), [joiner]);
    assert.equal(toHex(got.commitSecret), toHex(made.commitSecret));
  }
});

async function refusal(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(
    promise,
    (err) => err instanceof ParleyMlsError && err.code === "invalid" && pattern.test(err.message),
  );
}

test("mutated ciphertexts, wrong public keys and wrong parent hashes are refused with typed errors", async (t) => {
  const random = testRandom(t);
  const { suite, tree, views } = setup(cases().find((v) => setup(v).tree.leafCount >= 4)!);
  const [committer, receiver] = [views[0]!, views.at(-1)!];
  assert.equal(committer.leafIndex, 0);
  const made = await create(suite, tree, committer, random);
  const apply = (path: UpdatePath) => applyUpdatePath(suite, tree, 0, path, receiver, context(suite));
  const i = made.path.nodes.length - 1;
  const withNode = (node: UpdatePath["nodes"][number], leafNode = made.path.leafNode): UpdatePath => ({
    leafNode,
    nodes: made.path.nodes.map((n, j) => (j === i ? node : n)),
  });

  for (const part of ["kemOutput", "ciphertext"] as const) {
    const sealed = made.path.nodes[i]!.encryptedPathSecret.map((c) => {
      const bytes = c[part].slice();
      bytes[random.int(bytes.length)]! ^= 1 << random.int(8);
      return { ...c, [part]: bytes };
    });
    await refusal(
      apply(withNode({ ...made.path.nodes[i]!, encryptedPathSecret: sealed })),
      /does not decrypt/,
    );
  }

  const other = suite.generateKeyPair().publicKey;
  await refusal(apply(withNode({ ...made.path.nodes[i]!, encryptionKey: other })), /wrong parent hash/);

  // A committer that seals, under the right context, a path secret whose key is not the one it sent.
  const keys = made.path.nodes.map((n, j) => (j === i ? other : n.encryptionKey));
  const { leafParentHash } = mergePublicKeys(suite, tree, 0, keys);
  const leaf = { ...made.path.leafNode, parentHash: leafParentHash } as LeafNode;
  const lying = withNode({ ...made.path.nodes[i]!, encryptionKey: other }, leaf);
  const resealed = await reseal(suite, tree, lying, i, made.pathSecrets.get(tree.filteredDirectPath(0)[i]!)!);
  await refusal(apply(resealed), /does not match/);

  await refusal(apply({ ...made.path, nodes: made.path.nodes.slice(1) }), /needs \d+ nodes/);
  const truncated = { ...made.path.nodes[i]!, encryptedPathSecret: [] };
  await refusal(apply(withNode(truncated)), /ciphertexts for/);
  await refusal(
    applyUpdatePath(suite, tree, 0, made.path, receiver, { ...context(suite), epoch: 8n }),
    /does not decrypt/,
  );
});

/** The path with node i's path secret sealed again to its copath resolution under the path's own context. */
async function reseal(
  suite: CipherSuite,
  tree: PublicRatchetTree,
  path: UpdatePath,
  i: number,
  secret: Uint8Array,
): Promise<UpdatePath> {
  const merged = mergeUpdatePath(suite, tree, 0, path);
  const groupContext = encodeWith(
    { ...context(suite), treeHash: treeHash(suite, merged) },
    encodeGroupContext,
  );
  const p = tree.filteredDirectPath(0)[i]!;
  const sibling = copath(0, tree.leafCount)[directPath(0, tree.leafCount).indexOf(p)]!;
  const sealed = await Promise.all(
    tree.resolution(sibling).map((x) => {
      const node = tree.node(x)!;
      const key =
        node.nodeType === NodeType.leaf ? node.leafNode.encryptionKey : node.parentNode.encryptionKey;
      return suite.encryptWithLabel(key, "UpdatePathNode", groupContext, secret);
    }),
  );
  return { ...path, nodes: path.nodes.map((n, j) => (j === i ? { ...n, encryptedPathSecret: sealed } : n)) };
}

test("over 20 successive commits every member keeps the private keys of its path in step with the tree", async (t) => {
  const random = testRandom(t);
  const v = cases().find((c) => c.cipher_suite === 1 && setup(c).tree.leafCount === 8)!;
  let { suite, tree, views } = setup(v);
  for (let epoch = 0; epoch < 20; epoch++) {
    const committer = random.pick(views);
    const made = await create(suite, tree, committer, random);
    const next = [made.view];
    for (const view of views.filter((w) => w !== committer)) {
      const got = await applyUpdatePath(suite, tree, committer.leafIndex, made.path, view, context(suite));
      assert.equal(toHex(got.commitSecret), toHex(made.commitSecret), `epoch ${epoch}`);
      next.push(got.view);
    }
    [tree, views] = [made.tree, next];
    for (const view of views) {
      assert.ok(view.pathSecret(root(tree.leafCount)), `leaf ${view.leafIndex} holds the root's path secret`);
      for (const x of directPath(leafToNode(view.leafIndex), tree.leafCount)) {
        const secret = view.pathSecret(x);
        const key = tree.parentNode(x)?.encryptionKey;
        if (secret) assert.equal(toHex(nodeKeyPair(suite, secret).publicKey), toHex(key!), `node ${x}`);
      }
    }
  }
});

test("a receiver without the right key, the sender itself and a non-commit leaf are refused", async (t) => {
  const random = testRandom(t);
  const { suite, tree, views } = setup(cases().find((v) => setup(v).tree.leafCount >= 4)!);
  const [committer, receiver] = [views[0]!, views.at(-1)!];
  const made = await create(suite, tree, committer, random);
  const stranger = PrivateTreeView.of(receiver.leafIndex, suite.generateKeyPair().privateKey);
  const apply = (path: UpdatePath, view: PrivateTreeView) =>
    applyUpdatePath(suite, tree, committer.leafIndex, path, view, context(suite));
  await refusal(apply(made.path, stranger), /does not decrypt/);
  const update = { ...made.path.leafNode, leafNodeSource: LeafNodeSource.update } as LeafNode;
  await refusal(apply({ ...made.path, leafNode: update }, receiver), /leaf_node_source commit/);
  await assert.rejects(
    apply(made.path, committer),
    (err) => err instanceof ParleyMlsError && err.code === "usage",
  );
  const got = await apply(made.path, receiver);
  assert.equal(toHex(got.commitSecret), toHex(made.commitSecret), "the genuine path still applies");
});
