import { fromEngineCredential } from "../credential.js";
import {
  ciphersuites,
  decodeMlsMessage,
  type Extension,
  type KeyPackage,
  type LeafNode,
  type ProposalOrRef,
  type PublicMessage,
  type RatchetTree,
  verifyFramedContentSignature,
  verifyKeyPackage,
  verifyLeafNodeSignature,
} from "../engine.js";
import { decodeExact, MAX_MESSAGE_BYTES } from "../message.js";
import { bytesEqual } from "./bytes.js";
import { joinerLeafIndex, treeAfterPath, treeAfterProposals } from "./nextTree.js";
import { type CommitChange, CommitCheckError, type IncomingLeaf, type PublicMember } from "./types.js";
import { leafAt, type ViewState } from "./viewState.js";

/** The verified commit, kept for the GroupInfo check: its framing, and what it makes of the tree and context. */
export interface CheckedFraming {
  readonly message: PublicMessage & {
    content: { contentType: "commit" };
    auth: { contentType: "commit"; confirmationTag: Uint8Array };
  };
  /** The ratchet tree of the next epoch, derived from the view's tree and the commit. */
  readonly tree: RatchetTree;
  /** The group context extensions a GroupContextExtensions proposal sets, if any. */
  readonly extensions?: Extension[];
}

const framings = new WeakMap<CommitChange, CheckedFraming>();

export function framingOf(change: CommitChange): CheckedFraming {
  const framing = framings.get(change);
  if (!framing)
    throw new CommitCheckError("bad_group_info", "that commit change was not made by checkCommit");
  return framing;
}

/** RFC 9420 §6.1/§6.2 for a delivery service: who sent it, its signature, then what its proposals do. */
export async function checkCommit(view: ViewState, bytes: Uint8Array): Promise<CommitChange> {
  const message = decodePublicCommit(bytes);
  const { content } = message;
  if (!bytesEqual(content.groupId, view.context.groupId)) {
    throw new CommitCheckError("wrong_group", "the commit is for another group");
  }
  if (content.epoch !== view.context.epoch) {
    throw new CommitCheckError(
      "wrong_epoch",
      `commit for epoch ${content.epoch}; the view is at ${view.context.epoch}`,
    );
  }
  const { commit } = content;
  const external = content.sender.senderType === "new_member_commit";
  const committer = senderLeaf(view, message);
  const signatureKey = committer?.signatureKey ?? commit.path?.leafNode.signaturePublicKey;
  if (!signatureKey) throw new CommitCheckError("bad_path", "an external commit must carry an UpdatePath");
  const signed = await verifyFramedContentSignature(
    signatureKey,
    "mls_public_message",
    content,
    message.auth,
    view.context,
    view.suite.impl.signature,
  );
  if (!signed) throw new CommitCheckError("bad_signature", "the commit's signature does not verify");
  const effects = await proposalEffects(view, commit.proposals, external, committer);
  const { removed } = effects;
  let tree = treeAfterProposals(
    view.tree,
    removed.map((m) => m.leafIndex),
    effects.added,
  );
  let pathLeaf: IncomingLeaf | undefined;
  if (commit.path) {
    const leaf = commit.path.leafNode;
    const committerLeaf = committer?.leafIndex ?? joinerLeafIndex(tree, leaf);
    pathLeaf = await checkPathLeaf(view, leaf, committerLeaf);
    tree = await treeAfterPath(tree, commit.path, committerLeaf, external, view.suite);
  }
  const change: CommitChange = {
    external,
    ...(committer ? { committer } : {}),
    added: effects.added.map(leafOf),
    removed,
    ...(pathLeaf ? { pathLeaf } : {}),
  };
  framings.set(change, { message, tree, ...(effects.extensions ? { extensions: effects.extensions } : {}) });
  return change;
}

function decodePublicCommit(bytes: Uint8Array): CheckedFraming["message"] {
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new CommitCheckError("not_public", `commit of ${bytes.length} bytes is too large`);
  }
  const message = decodeExact(decodeMlsMessage, bytes, "commit");
  if (message.wireformat !== "mls_public_message" || message.publicMessage.content.contentType !== "commit") {
    throw new CommitCheckError("not_public", "only a PublicMessage commit can be checked");
  }
  return message.publicMessage as CheckedFraming["message"];
}

/** A member commit names a current leaf; an external one comes from a joiner (it has no leaf yet). */
function senderLeaf(view: ViewState, message: PublicMessage): PublicMember | undefined {
  const { sender } = message.content;
  if (sender.senderType === "new_member_commit") return undefined;
  if (sender.senderType !== "member") {
    throw new CommitCheckError("unknown_sender", `a ${sender.senderType} sender cannot commit`);
  }
  const leaf = leafAt(view.tree, sender.leafIndex);
  if (!leaf) throw new CommitCheckError("unknown_sender", `sender leaf ${sender.leafIndex} is not a member`);
  return leaf;
}

const badProposal = (message: string) => new CommitCheckError("bad_proposal", message);

/** RFC 9420 §12.2: each proposal well-formed; Removes name distinct occupied leaves, never the committer. */
async function proposalEffects(
  view: ViewState,
  proposals: readonly ProposalOrRef[],
  external: boolean,
  committer: PublicMember | undefined,
): Promise<{ added: LeafNode[]; removed: PublicMember[]; extensions?: Extension[] }> {
  const added: LeafNode[] = [];
  const removed: PublicMember[] = [];
  let extensions: Extension[] | undefined;
  let externalInits = 0;
  for (const p of proposals) {
    if (p.proposalOrRefType === "reference") {
      throw badProposal("proposals by reference cannot be checked by the server; commit them by value");
    }
    const proposal = p.proposal;
    switch (proposal.proposalType) {
      case "add":
        if (external) throw badProposal("an external commit cannot add members");
        added.push(await checkKeyPackage(view, proposal.add.keyPackage));
        break;
      case "remove": {
        const leaf = leafAt(view.tree, proposal.remove.removed);
        if (!leaf) throw badProposal(`Remove names leaf ${proposal.remove.removed}, which is empty`);
        if (removed.some((r) => r.leafIndex === leaf.leafIndex)) {
          throw badProposal(`leaf ${leaf.leafIndex} is removed twice`);
        }
        if (committer?.leafIndex === leaf.leafIndex) throw badProposal("a committer cannot remove itself");
        removed.push(leaf);
        break;
      }
      case "update":
        throw badProposal("an Update proposal cannot be committed by value");
      case "external_init":
        if (!external) throw badProposal("only an external commit carries an ExternalInit");
        externalInits++;
        break;
      case "reinit":
        throw badProposal("ReInit is not supported by this server");
      case "group_context_extensions":
        if (extensions) throw badProposal("more than one GroupContextExtensions proposal");
        extensions = proposal.groupContextExtensions.extensions;
        break;
      default:
        break;
    }
  }
  if (external && externalInits !== 1)
    throw badProposal("an external commit carries exactly one ExternalInit");
  return { added, removed, ...(extensions ? { extensions } : {}) };
}

async function checkKeyPackage(view: ViewState, keyPackage: KeyPackage): Promise<LeafNode> {
  if (ciphersuites[keyPackage.cipherSuite] !== ciphersuites[view.context.cipherSuite]) {
    throw badProposal("an added key package is for another ciphersuite");
  }
  if (!(await verifyKeyPackage(keyPackage, view.suite.impl.signature))) {
    throw badProposal("an added key package's signature does not verify");
  }
  return keyPackage.leafNode;
}

/** The UpdatePath's leaf (§7.6, §12.4.2): source "commit", signed over the group id and its leaf index. */
async function checkPathLeaf(view: ViewState, leaf: LeafNode, leafIndex: number): Promise<IncomingLeaf> {
  if (leaf.leafNodeSource !== "commit")
    throw new CommitCheckError("bad_path", "the path's leaf is not a commit leaf");
  const signed = await verifyLeafNodeSignature(
    leaf,
    view.context.groupId,
    leafIndex,
    view.suite.impl.signature,
  );
  if (!signed) throw new CommitCheckError("bad_path", "the path's leaf node signature does not verify");
  return leafOf(leaf);
}

function leafOf(leaf: LeafNode): IncomingLeaf {
  return { credential: fromEngineCredential(leaf.credential), signatureKey: leaf.signaturePublicKey };
}
