import { encodeGroupContext, nextEpochContext, treeHashRoot } from "../engine.js";
import { bytesEqual } from "./bytes.js";
import { framingOf } from "./checkCommit.js";
import { type CommitChange, CommitCheckError } from "./types.js";
import { readGroupInfo, type ViewState } from "./viewState.js";

const refuse = (message: string) => new CommitCheckError("bad_group_info", message);

/**
 * The next epoch's GroupInfo must follow from this view and the checked commit (RFC 9420 §8.2, §12.4.3):
 * epoch + 1 of the same group and suite, confirmed_transcript_hash = Hash(interim_transcript_hash ||
 * ConfirmedTranscriptHashInput(commit)), the commit's confirmation tag, and the very ratchet tree the commit
 * makes of this one (so exactly the old members minus the removed plus the added, with the committer's path).
 */
export async function checkNextGroupInfo(
  view: ViewState,
  bytes: Uint8Array,
  change: CommitChange,
): Promise<ViewState> {
  const { message, tree, extensions } = framingOf(change);
  if (message.content.epoch !== view.context.epoch) {
    throw refuse("the commit was checked against another epoch");
  }
  const next = await readGroupInfo(bytes);
  const context = next.context;
  if (!bytesEqual(context.groupId, view.context.groupId)) throw refuse("the GroupInfo is for another group");
  if (context.epoch !== view.context.epoch + 1n) {
    throw refuse(`the GroupInfo is for epoch ${context.epoch}, not ${view.context.epoch + 1n}`);
  }
  if (context.cipherSuite !== view.context.cipherSuite) throw refuse("the GroupInfo changes the ciphersuite");
  const hash = view.suite.impl.hash;
  const treeHash = await treeHashRoot(tree, hash);
  if (!bytesEqual(treeHash, context.treeHash)) {
    throw refuse("the GroupInfo's ratchet tree is not the one the commit makes (members or keys differ)");
  }
  const expected = await nextEpochContext(
    extensions ? { ...view.context, extensions } : view.context,
    "mls_public_message",
    message.content,
    message.auth.signature,
    treeHash,
    view.groupInfo.confirmationTag,
    hash,
  );
  if (!bytesEqual(expected.confirmedTranscriptHash, context.confirmedTranscriptHash)) {
    throw refuse("the GroupInfo's confirmed_transcript_hash does not follow from the commit");
  }
  if (!bytesEqual(encodeGroupContext(expected), encodeGroupContext(context))) {
    throw refuse("the GroupInfo's GroupContext does not follow from the commit (extensions differ)");
  }
  if (!bytesEqual(next.groupInfo.confirmationTag, message.auth.confirmationTag)) {
    throw refuse("the GroupInfo's confirmation_tag differs from the commit's");
  }
  return next;
}
