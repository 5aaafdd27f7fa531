import { ParleyMlsError } from "../../errors.js";
import { decodeAll } from "../codec/index.js";
import type { CipherSuite } from "../crypto/index.js";
import type { EpochSecrets } from "../schedule/index.js";
import { invalidParentHashes } from "../tree/parentHash.js";
import { PublicRatchetTree } from "../tree/ratchetTree.js";
import { treeHash } from "../tree/treeHash.js";
import { invalidUnmergedLeaves } from "../tree/unmergedLeaves.js";
import {
  type GroupContext,
  type GroupInfo,
  type GroupSecrets,
  type RatchetTree,
  ratchetTreeExtension,
  type Welcome,
} from "../wire/index.js";
import { bytesEqual } from "./bytes.js";
import { verifyGroupInfoSignature } from "./groupInfo.js";
import { openWelcome, type WelcomeKeys } from "./open.js";

/** A joiner's view of the group it was welcomed into. */
export interface JoinedGroup {
  readonly groupContext: GroupContext;
  readonly tree: PublicRatchetTree;
  readonly leafIndex: number;
  readonly epochSecrets: EpochSecrets;
  readonly groupSecrets: GroupSecrets;
  readonly confirmationTag: Uint8Array;
}

function treeOf(groupInfo: GroupInfo, given: RatchetTree | undefined): PublicRatchetTree {
  const inline = groupInfo.extensions.filter((e) => e.extensionType === ratchetTreeExtension.extensionType);
  if (inline.length > 1)
    throw new ParleyMlsError("invalid", "GroupInfo has more than one ratchet_tree extension");
  const wire = inline[0]
    ? decodeAll(inline[0].extensionData, ratchetTreeExtension.decode, "ratchet_tree")
    : given;
  if (!wire) throw new ParleyMlsError("usage", "Welcome carries no ratchet_tree and none was given");
  return PublicRatchetTree.fromWire(wire);
}

function checkTree(suite: CipherSuite, tree: PublicRatchetTree, context: GroupContext): void {
  if (!bytesEqual(treeHash(suite, tree), context.treeHash))
    throw new ParleyMlsError("invalid", "ratchet tree hash differs from the GroupContext's tree_hash");
  const badParents = invalidParentHashes(suite, tree);
  if (badParents.length > 0)
    throw new ParleyMlsError(
      "invalid",
      `ratchet tree parent nodes ${badParents.join(", ")} are not parent-hash valid`,
    );
  const badUnmerged = invalidUnmergedLeaves(tree);
  if (badUnmerged.length > 0)
    throw new ParleyMlsError(
      "invalid",
      `ratchet tree nodes ${badUnmerged.join(", ")} have invalid unmerged leaves`,
    );
}

function ourLeaf(tree: PublicRatchetTree, keys: WelcomeKeys): number {
  const mine = keys.keyPackage.leafNode;
  for (let i = 0; i < tree.leafCount; i++) {
    const leaf = tree.leaf(i);
    if (
      leaf &&
      bytesEqual(leaf.encryptionKey, mine.encryptionKey) &&
      bytesEqual(leaf.signatureKey, mine.signatureKey)
    )
      return i;
  }
  throw new ParleyMlsError("invalid", "our key package's leaf is not in the Welcome's ratchet tree");
}

/** §12.4.3.1: join from a Welcome, verifying the GroupInfo signer, the tree and our place in it. */
export async function joinGroup(
  welcome: Welcome,
  keys: WelcomeKeys,
  ratchetTree?: RatchetTree,
): Promise<JoinedGroup> {
  const { suite, groupInfo, groupSecrets, epochSecrets } = await openWelcome(welcome, keys);
  const tree = treeOf(groupInfo, ratchetTree);
  const signer = groupInfo.signer < tree.leafCount ? tree.leaf(groupInfo.signer) : undefined;
  if (!signer)
    throw new ParleyMlsError("invalid", `GroupInfo signer ${groupInfo.signer} is not an occupied leaf`);
  await verifyGroupInfoSignature(suite, signer.signatureKey, groupInfo);
  checkTree(suite, tree, groupInfo.groupContext);
  return {
    groupContext: groupInfo.groupContext,
    tree,
    leafIndex: ourLeaf(tree, keys),
    epochSecrets,
    groupSecrets,
    confirmationTag: groupInfo.confirmationTag,
  };
}
