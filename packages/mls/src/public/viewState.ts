import { fromEngineCredential } from "../credential.js";
import {
  decodeMlsMessage,
  type GroupContext,
  type GroupInfo,
  type RatchetTree,
  ratchetTreeFromExtension,
  treeHashRoot,
  verifyGroupInfoSignature,
} from "../engine.js";
import { asMlsError } from "../errors.js";
import { decodeExact, MAX_MESSAGE_BYTES } from "../message.js";
import { loadSuite, type MlsSuite } from "../suite.js";
import { bytesEqual } from "./bytes.js";
import { CommitCheckError, type PublicMember } from "./types.js";

/** The public state of one epoch: its GroupContext, the confirmation tag and the ratchet tree. */
export interface ViewState {
  readonly suite: MlsSuite;
  readonly groupInfo: GroupInfo;
  readonly context: GroupContext;
  readonly tree: RatchetTree;
}

const refuse = (message: string) => new CommitCheckError("bad_group_info", message);

/**
 * Read a GroupInfo MLSMessage into a view: it must carry the ratchet tree (§12.4.3.3), the tree must hash to
 * the signed GroupContext's tree_hash, and the signer must be a leaf of that tree whose key signed it.
 */
export async function readGroupInfo(bytes: Uint8Array): Promise<ViewState> {
  if (bytes.length > MAX_MESSAGE_BYTES) throw refuse(`GroupInfo of ${bytes.length} bytes is too large`);
  const message = decodeExact(decodeMlsMessage, bytes, "GroupInfo");
  if (message.wireformat !== "mls_group_info")
    throw refuse(`expected a GroupInfo, got ${message.wireformat}`);
  const groupInfo = message.groupInfo;
  const context = groupInfo.groupContext;
  const suite = await loadSuite(context.cipherSuite);
  let tree: RatchetTree | undefined;
  try {
    tree = ratchetTreeFromExtension(groupInfo);
  } catch (err) {
    throw asMlsError(err, "malformed", "GroupInfo ratchet_tree extension");
  }
  if (!tree) throw refuse("GroupInfo carries no ratchet_tree extension");
  if (!bytesEqual(await treeHashRoot(tree, suite.impl.hash), context.treeHash)) {
    throw refuse("GroupInfo ratchet tree does not match the GroupContext's tree_hash");
  }
  const signer = leafAt(tree, groupInfo.signer);
  if (!signer) throw refuse(`GroupInfo signer ${groupInfo.signer} is no member leaf`);
  if (!(await verifyGroupInfoSignature(groupInfo, signer.signatureKey, suite.impl.signature))) {
    throw new CommitCheckError("bad_signature", "GroupInfo signature does not verify with its signer's key");
  }
  return { suite, groupInfo, context, tree };
}

export function leafAt(tree: RatchetTree, leafIndex: number): PublicMember | undefined {
  if (!Number.isInteger(leafIndex) || leafIndex < 0) return undefined;
  const node = tree[leafIndex * 2];
  if (node?.nodeType !== "leaf") return undefined;
  return {
    leafIndex,
    credential: fromEngineCredential(node.leaf.credential),
    signatureKey: node.leaf.signaturePublicKey,
  };
}

export function membersOfTree(tree: RatchetTree): PublicMember[] {
  const members: PublicMember[] = [];
  for (let leaf = 0; leaf * 2 < tree.length; leaf++) {
    const member = leafAt(tree, leaf);
    if (member) members.push(member);
  }
  return members;
}
