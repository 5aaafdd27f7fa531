import { ParleyMlsError } from "../../errors.js";
import { encodeWith } from "../codec/index.js";
import type { CipherSuite } from "../crypto/index.js";
import { commonAncestor, directPath, leafToNode } from "../tree/math.js";
import type { PublicRatchetTree } from "../tree/ratchetTree.js";
import { treeHash } from "../tree/treeHash.js";
import { encodeGroupContext, type GroupContext, LeafNodeSource, type UpdatePath } from "../wire/index.js";
import { copathResolution } from "./copathResolution.js";
import { mergePublicKeys, withLeaf } from "./mergePath.js";
import { commitSecret, nodeKeyPair, type PrivateTreeView, pathSecretsFrom } from "./pathSecrets.js";

/** What a receiver learns from an UpdatePath. */
export interface AppliedUpdatePath {
  readonly tree: PublicRatchetTree;
  readonly view: PrivateTreeView;
  /** The path secret at the common ancestor with the sender, where decryption happened. */
  readonly pathSecret: Uint8Array;
  readonly commitSecret: Uint8Array;
}

/**
 * §7.5 and §12.4.2: merge the sender's UpdatePath into `tree` (the tree with the commit's proposals
 * applied) and decrypt the path secret for `view`'s leaf. `context` is the GroupContext of the new epoch
 * except its tree hash, which is computed here from the merged tree. `joiners` are the leaves added by the
 * commit, to whom nothing was encrypted.
 */
export async function applyUpdatePath(
  suite: CipherSuite,
  tree: PublicRatchetTree,
  sender: number,
  path: UpdatePath,
  view: PrivateTreeView,
  context: Omit<GroupContext, "treeHash">,
  joiners: readonly number[] = [],
): Promise<AppliedUpdatePath> {
  if (view.leafIndex === sender)
    throw new ParleyMlsError("usage", "the sender cannot apply its own UpdatePath");
  const merged = mergeUpdatePath(suite, tree, sender, path);
  const filtered = tree.filteredDirectPath(sender);
  const ancestor = commonAncestor(leafToNode(sender), leafToNode(view.leafIndex), tree.leafCount);
  const i = filtered.indexOf(ancestor);
  if (i < 0) throw new ParleyMlsError("invalid", `leaf ${view.leafIndex} is under no node of the UpdatePath`);
  const full = directPath(leafToNode(sender), tree.leafCount);
  const resolution = copathResolution(tree, sender, ancestor, joiners);
  const ciphertexts = path.nodes[i]!.encryptedPathSecret;
  if (ciphertexts.length !== resolution.length)
    throw new ParleyMlsError(
      "invalid",
      `UpdatePath node ${i} has ${ciphertexts.length} ciphertexts for ${resolution.length} resolution nodes`,
    );
  const at = resolution.findIndex((x) => view.privateKey(suite, x) !== undefined);
  if (at < 0) throw new ParleyMlsError("invalid", `leaf ${view.leafIndex} holds no key for node ${ancestor}`);
  const groupContext = encodeWith({ ...context, treeHash: treeHash(suite, merged) }, encodeGroupContext);
  const privateKey = view.privateKey(suite, resolution[at]!)!;
  const pathSecret = await decrypt(suite, privateKey, groupContext, ciphertexts[at]!, ancestor);
  const secrets = pathSecretsFrom(suite, pathSecret, filtered.length - i);
  checkPublicKeys(suite, filtered.slice(i), secrets, path.nodes.slice(i));
  const newView = view.without(full).with(new Map(filtered.slice(i).map((x, n) => [x, secrets[n]!])));
  return { tree: merged, view: newView, pathSecret, commitSecret: commitSecret(suite, secrets.at(-1)!) };
}

/** §7.5 and §7.9: the tree with a received UpdatePath merged, its leaf's parent hash checked. */
export function mergeUpdatePath(
  suite: CipherSuite,
  tree: PublicRatchetTree,
  sender: number,
  path: UpdatePath,
): PublicRatchetTree {
  const leaf = path.leafNode;
  if (leaf.leafNodeSource !== LeafNodeSource.commit)
    throw new ParleyMlsError("invalid", "an UpdatePath's leaf node must have leaf_node_source commit");
  const keys = path.nodes.map((n) => n.encryptionKey);
  const { tree: merged, leafParentHash } = mergePublicKeys(suite, tree, sender, keys);
  if (!equal(leaf.parentHash, leafParentHash))
    throw new ParleyMlsError("invalid", "the UpdatePath's leaf node carries the wrong parent hash");
  return withLeaf(merged, sender, leaf);
}

/** §12.4.2: each public key the UpdatePath sent must be the one its derived path secret gives. */
function checkPublicKeys(
  suite: CipherSuite,
  nodes: readonly number[],
  secrets: readonly Uint8Array[],
  sent: UpdatePath["nodes"],
): void {
  nodes.forEach((x, n) => {
    if (!equal(nodeKeyPair(suite, secrets[n]!).publicKey, sent[n]!.encryptionKey))
      throw new ParleyMlsError(
        "invalid",
        `the public key of node ${x} does not match its derived path secret`,
      );
  });
}

async function decrypt(
  suite: CipherSuite,
  privateKey: Uint8Array,
  groupContext: Uint8Array,
  ciphertext: { kemOutput: Uint8Array; ciphertext: Uint8Array },
  node: number,
): Promise<Uint8Array> {
  try {
    return await suite.decryptWithLabel(privateKey, "UpdatePathNode", groupContext, ciphertext);
  } catch (err) {
    throw new ParleyMlsError("invalid", `the path secret for node ${node} does not decrypt`, { cause: err });
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
