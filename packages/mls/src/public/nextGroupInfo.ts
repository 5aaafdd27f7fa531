import { createConfirmedHash, createInterimHash } from "../engine.js";
import { bytesEqual, keyOf } from "./bytes.js";
import { framingOf } from "./checkCommit.js";
import { type CommitChange, CommitCheckError, type PublicMember } from "./types.js";
import { membersOfTree, readGroupInfo, type ViewState } from "./viewState.js";

const refuse = (message: string) => new CommitCheckError("bad_group_info", message);

/**
 * The next epoch's GroupInfo must follow from this view and the checked commit: epoch + 1, same group and
 * suite, confirmed_transcript_hash = Hash(interim_transcript_hash || ConfirmedTranscriptHashInput) (§8.2),
 * the commit's confirmation tag, and exactly the membership the commit makes.
 */
export async function checkNextGroupInfo(
  view: ViewState,
  bytes: Uint8Array,
  change: CommitChange,
): Promise<ViewState> {
  const { message, committerLeaf } = framingOf(change);
  if (message.content.epoch !== view.context.epoch)
    throw refuse("the commit was checked against another epoch");
  const next = await readGroupInfo(bytes);
  const context = next.context;
  if (!bytesEqual(context.groupId, view.context.groupId)) throw refuse("the GroupInfo is for another group");
  if (context.epoch !== view.context.epoch + 1n) {
    throw refuse(`the GroupInfo is for epoch ${context.epoch}, not ${view.context.epoch + 1n}`);
  }
  if (context.cipherSuite !== view.context.cipherSuite) throw refuse("the GroupInfo changes the ciphersuite");
  const hash = view.suite.impl.hash;
  const interim = await createInterimHash(
    view.context.confirmedTranscriptHash,
    view.groupInfo.confirmationTag,
    hash,
  );
  const confirmed = await createConfirmedHash(
    interim,
    { wireformat: "mls_public_message", content: message.content, signature: message.auth.signature },
    hash,
  );
  if (!bytesEqual(confirmed, context.confirmedTranscriptHash)) {
    throw refuse("the GroupInfo's confirmed_transcript_hash does not follow from the commit");
  }
  if (!bytesEqual(next.groupInfo.confirmationTag, message.auth.confirmationTag)) {
    throw refuse("the GroupInfo's confirmation_tag differs from the commit's");
  }
  if (!sameMembership(expectedMembers(view, change, committerLeaf), membersOfTree(next.tree))) {
    throw refuse("the GroupInfo's members are not the old ones minus the removed plus the added");
  }
  return next;
}

/** Members that stay keep their leaf; the committer's leaf takes the path's key; the added fill other leaves. */
interface Expected {
  readonly kept: ReadonlyMap<number, string>;
  readonly added: readonly string[];
}

function expectedMembers(view: ViewState, change: CommitChange, committerLeaf: number): Expected {
  const removed = new Set(change.removed.map((m) => m.leafIndex));
  const kept = new Map<number, string>();
  for (const m of membersOfTree(view.tree)) {
    if (!removed.has(m.leafIndex)) kept.set(m.leafIndex, keyOf(m.signatureKey));
  }
  if (change.pathLeaf) kept.set(committerLeaf, keyOf(change.pathLeaf.signatureKey));
  return { kept, added: change.added.map((a) => keyOf(a.signatureKey)) };
}

function sameMembership(expected: Expected, actual: readonly PublicMember[]): boolean {
  if (actual.length !== expected.kept.size + expected.added.length) return false;
  const added = [...expected.added].sort();
  const others: string[] = [];
  for (const m of actual) {
    const key = keyOf(m.signatureKey);
    const kept = expected.kept.get(m.leafIndex);
    if (kept === undefined) others.push(key);
    else if (kept !== key) return false;
  }
  others.sort();
  return others.length === added.length && others.every((k, i) => k === added[i]);
}
