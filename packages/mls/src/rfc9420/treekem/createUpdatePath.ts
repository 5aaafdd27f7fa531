import { ParleyMlsError } from "../../errors.js";
import { encodeWith } from "../codec/index.js";
import type { CipherSuite, HpkeKeyPair } from "../crypto/index.js";
import { directPath, leafToNode } from "../tree/math.js";
import type { PublicRatchetTree } from "../tree/ratchetTree.js";
import { treeHash } from "../tree/treeHash.js";
import {
  encodeGroupContext,
  type GroupContext,
  type LeafNode,
  NodeType,
  type UpdatePath,
} from "../wire/index.js";
import { copathResolution } from "./copathResolution.js";
import { mergePublicKeys, withLeaf } from "./mergePath.js";
import { nodeKeyPair, type PrivateTreeView, pathSecretsFrom } from "./pathSecrets.js";

export interface CreateUpdatePathOptions {
  /** The leaves added by the commit: they get the path secrets through the Welcome instead. */
  readonly joiners?: readonly number[];
  /** The committer's new leaf node (leaf_node_source commit) for its new key and parent hash, signed. */
  readonly leafNode: (encryptionKey: Uint8Array, parentHash: Uint8Array) => Promise<LeafNode>;
  /** path_secret[0]; fresh random bytes by default. */
  readonly pathSecret?: Uint8Array;
  /** The leaf's new key pair; a fresh one by default. */
  readonly leafKeyPair?: HpkeKeyPair;
}

/** What a committer gets from creating an UpdatePath. */
export interface CreatedUpdatePath {
  readonly path: UpdatePath;
  readonly tree: PublicRatchetTree;
  readonly view: PrivateTreeView;
  /** The path secret of every node on the filtered direct path, for the Welcome's joiners. */
  readonly pathSecrets: ReadonlyMap<number, Uint8Array>;
  readonly commitSecret: Uint8Array;
}

/**
 * §7.5 and §12.4.1: the committer `view.leafIndex` replaces its leaf and direct path in `tree` (the tree with
 * the commit's proposals applied) and seals each new path secret to the resolution of the copath child,
 * joiners excluded. `context` is the new epoch's GroupContext except its tree hash, which is computed here.
 */
export async function createUpdatePath(
  suite: CipherSuite,
  tree: PublicRatchetTree,
  view: PrivateTreeView,
  context: Omit<GroupContext, "treeHash">,
  options: CreateUpdatePathOptions,
): Promise<CreatedUpdatePath> {
  const sender = view.leafIndex;
  if (!tree.leaf(sender)) throw new ParleyMlsError("usage", `leaf ${sender} is blank`);
  const filtered = tree.filteredDirectPath(sender);
  const first = options.pathSecret ?? suite.randomBytes(suite.Nh);
  // path_secret[0..n] for the filtered direct path and path_secret[n+1], the commit secret.
  const chain = pathSecretsFrom(suite, first, filtered.length + 1);
  const secrets = chain.slice(0, -1);
  const keys = secrets.map((s) => nodeKeyPair(suite, s).publicKey);
  const leafKeyPair = options.leafKeyPair ?? suite.generateKeyPair();
  const { tree: merged, leafParentHash } = mergePublicKeys(suite, tree, sender, keys);
  const leafNode = await options.leafNode(leafKeyPair.publicKey, leafParentHash);
  const after = withLeaf(merged, sender, leafNode);
  const groupContext = encodeWith({ ...context, treeHash: treeHash(suite, after) }, encodeGroupContext);
  const recipients = filtered.map((p) => copathResolution(tree, sender, p, options.joiners ?? []));
  const nodes = await Promise.all(
    filtered.map(async (_, i) => ({
      encryptionKey: keys[i]!,
      encryptedPathSecret: await Promise.all(
        recipients[i]!.map((x) =>
          suite.encryptWithLabel(publicKey(tree, x), "UpdatePathNode", groupContext, secrets[i]!),
        ),
      ),
    })),
  );
  const pathSecrets = new Map(filtered.map((x, i) => [x, secrets[i]!]));
  const full = directPath(leafToNode(sender), tree.leafCount);
  return {
    path: { leafNode, nodes },
    tree: after,
    view: view.without(full).with(pathSecrets, leafKeyPair.privateKey),
    pathSecrets,
    commitSecret: chain.at(-1)!,
  };
}

function publicKey(tree: PublicRatchetTree, x: number): Uint8Array {
  const node = tree.node(x)!;
  return node.nodeType === NodeType.leaf ? node.leafNode.encryptionKey : node.parentNode.encryptionKey;
}
