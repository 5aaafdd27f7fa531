import { decodeGroup, type MlsGroup } from "@parley/mls";
import { bytesEqual } from "./bytes.js";
import { decodeContent } from "./content.js";
import type { ClientContext } from "./context.js";
import { type Conversation, diffMembers, memberInfo } from "./conversation.js";
import { asClientError, isClientError, ParleyClientError } from "./errors.js";
import { groupName } from "./groupName.js";
import { addressOf } from "./identity.js";
import { rejoin } from "./rejoin.js";
import type { HistoryRecord, PendingCommitRecord } from "./storage/store.js";
import type { CommitBundle, LogEntry } from "./transport/transport.js";

/** The bundle for a pending commit, with the next epoch's GroupInfo so that the server's stays current. */
export function bundleOf(pending: PendingCommitRecord, groupInfo: Uint8Array): CommitBundle {
  return {
    commit: pending.commit,
    groupInfo,
    ...(pending.welcome ? { welcome: { deviceIds: pending.added, welcome: pending.welcome } } : {}),
    added: pending.added,
    removed: pending.removed,
  };
}

/**
 * Catch a conversation up with the server's log, from its stored cursor. The caller holds the conversation's
 * lock. A pending commit whose fate is unknown is resolved first; the log then decides: when the commit at our
 * epoch is ours, its staged state is adopted, otherwise the winner is processed and ours is dropped.
 */
export async function syncConversation(ctx: ClientContext, conv: Conversation): Promise<void> {
  if (!conv.active) return;
  const pending = conv.record.pending;
  if (pending && pending.acceptedSeq === undefined) await resolvePending(ctx, conv, pending);
  while (conv.active) {
    let page: LogEntry[];
    try {
      page = await ctx.transport.fetchMessages(conv.id, conv.record.cursor, ctx.pageSize);
    } catch (err) {
      if (isClientError(err, "not-found")) return markRemoved(ctx, conv);
      throw err;
    }
    if (page.length === 0) break;
    const from = conv.record.cursor;
    await applyEntries(ctx, conv, page);
    // No progress: it waits at a commit it cannot trust yet (an untrusted identity); the next sync retries it.
    if (conv.record.cursor === from) break;
    // A rejoin moves the cursor to its own commit, which may lie before or past the page's end: read on.
    if (page.length < ctx.pageSize && conv.record.cursor >= (page.at(-1)?.seq ?? 0)) break;
  }
}

/** An unanswered commit: if the server is still at its epoch it was not applied, so the same bytes are resent. */
async function resolvePending(ctx: ClientContext, conv: Conversation, pending: PendingCommitRecord) {
  let status: { epoch: number };
  try {
    status = await ctx.transport.groupStatus(conv.id);
  } catch (err) {
    if (isClientError(err, "not-found")) return markRemoved(ctx, conv);
    throw err;
  }
  if (status.epoch !== pending.epoch) return; // the server moved on: the commit at our epoch is in the log
  const next =
    conv.staged?.group ?? (await decodeGroup(pending.state, { ...ctx.groupOptions, provider: ctx.provider }));
  try {
    const outcome = await ctx.transport.postCommit(conv.id, bundleOf(pending, await next.groupInfo()));
    if (outcome.kind === "accepted") {
      conv.record = { ...conv.record, pending: { ...pending, acceptedSeq: outcome.seq } };
      await ctx.store.write({ conversations: [conv.snapshot()] });
    }
    // On conflict another commit won this epoch after we asked: the log shows it and ours is dropped there.
  } catch (err) {
    if (isClientError(err, "network")) throw err;
    // A definite refusal: the server stored nothing, so the pending commit can go.
    await dropPending(ctx, conv);
    throw err;
  }
}

export async function dropPending(ctx: ClientContext, conv: Conversation): Promise<void> {
  conv.record = { ...conv.record, pending: null };
  conv.staged = undefined;
  await ctx.store.write({ conversations: [conv.snapshot()] });
}

export async function markRemoved(ctx: ClientContext, conv: Conversation): Promise<void> {
  conv.record = { ...conv.record, status: "removed", pending: null };
  conv.group?.forgetKeys();
  conv.group = undefined;
  conv.staged = undefined;
  await ctx.store.write({ conversations: [conv.snapshot()] });
  ctx.events.emit("left", { conversationId: conv.id, reason: "removed" });
}

/**
 * Apply log entries in sequence order, then store the new state, cursor and history in one batch; events go
 * to the application only after that batch is durable, and old epoch secrets are wiped only then.
 */
export async function applyEntries(
  ctx: ClientContext,
  conv: Conversation,
  entries: LogEntry[],
): Promise<void> {
  if (!conv.group) return;
  let group: MlsGroup = conv.group;
  let record = conv.record;
  let staged = conv.staged;
  let merged: number | undefined;
  const wipes: (() => void)[] = [];
  const notices: (() => void)[] = [];
  const history: HistoryRecord[] = [];
  // A commit this device could not process: it cannot follow the group past it and rejoins (rejoin.ts).
  let lost: ParleyClientError | undefined;
  const failed = (seq: number, err: unknown) => {
    const error = asClientError(err, "undecryptable", `group log entry ${seq}`);
    notices.push(() => ctx.events.emit("error", { error, conversationId: conv.id }));
  };

  for (const entry of entries) {
    if (entry.seq <= record.cursor) continue;
    if (entry.kind === "commit") {
      const pending = record.pending;
      const ours =
        pending !== null &&
        entry.epoch === pending.epoch &&
        entry.sender === ctx.me.deviceId &&
        bytesEqual(entry.message, pending.commit);
      if (ours) {
        const next =
          staged?.group ??
          (await decodeGroup(pending.state, { ...ctx.groupOptions, provider: ctx.provider }));
        if (staged) wipes.push(staged.forgetPrevious);
        notices.push(
          ...changeNotices(ctx, conv.id, group, next, memberInfo(ownMember(group, ctx.me.deviceId))),
        );
        group = next;
        merged = pending.epoch;
        record = { ...record, pending: null };
        staged = undefined;
      } else if (entry.epoch < Number(group.epoch)) {
        // A commit from before this device joined (a Welcome put us past it): nothing to do.
      } else {
        if (pending && entry.epoch === pending.epoch) {
          // Another member's commit won the epoch: ours was never applied and is dropped (the caller retries).
          record = { ...record, pending: null };
          staged = undefined;
        }
        try {
          const result = await group.process(entry.message);
          if (result.kind !== "commit") throw new ParleyClientError("undecryptable", "expected a commit");
          await ctx.trust.checkCommit(group, result.group, result.senderLeafIndex, conv.id);
          wipes.push(result.forgetPrevious);
          const by = group.members().find((m) => m.leafIndex === result.senderLeafIndex);
          notices.push(...changeNotices(ctx, conv.id, group, result.group, by && memberInfo(by)));
          group = result.group;
          if (result.selfRemoved) {
            const removed = result.group;
            wipes.push(() => removed.forgetKeys());
            record = { ...record, status: "removed", cursor: entry.seq };
            notices.push(() => ctx.events.emit("left", { conversationId: conv.id, reason: "removed" }));
            break;
          }
        } catch (err) {
          // A leaf we cannot trust: the conversation waits at this commit (retried on every sync) until the
          // application accepts or verifies the identity; a forged leaf keeps it waiting (rejoining would meet
          // the same leaf in the GroupInfo's tree).
          if (isClientError(err, "untrusted-identity")) {
            failed(entry.seq, err);
            break;
          }
          // The cursor stays before it: what came before is stored, then the rejoin moves the cursor past it.
          lost = asClientError(err, "undecryptable", `commit at group log entry ${entry.seq}`);
          break;
        }
      }
    } else if (entry.sender !== ctx.me.deviceId && entry.epoch >= record.joinedEpoch) {
      // Our own messages are skipped: MLS senders cannot decrypt what they sent (and we stored it on sending).
      try {
        const result = await group.process(entry.message);
        if (result.kind !== "application")
          throw new ParleyClientError("undecryptable", "expected application data");
        wipes.push(result.forgetPrevious);
        group = result.group;
        const senderLeaf = membersAt(group, result.senderLeafIndex);
        const sender = senderLeaf ? addressOf(senderLeaf) : undefined;
        const content = decodeContent(result.data);
        if (!sender || sender.deviceId !== entry.sender) {
          throw new ParleyClientError(
            "undecryptable",
            "the sender's leaf does not match the device that posted it",
          );
        }
        if (!content) throw new ParleyClientError("undecryptable", "the message content is not understood");
        if (content.type === "text") {
          const line = { seq: entry.seq, username: sender.username, deviceId: sender.deviceId };
          history.push({ groupId: conv.id, ...line, text: content.text, sentAt: content.sentAt });
          const event = {
            conversationId: conv.id,
            seq: entry.seq,
            sender: { username: sender.username, deviceId: sender.deviceId },
            text: content.text,
            sentAt: content.sentAt,
            epoch: Number(result.epoch),
          };
          notices.push(() => ctx.events.emit("message", event));
        } else if (content.type === "leave") {
          const remover = designatedRemover(group, sender.username);
          if (remover === ctx.me.deviceId) {
            const username = sender.username;
            notices.push(() => ctx.defer(() => ctx.removeLeaver(conv.id, username)));
          }
        }
      } catch (err) {
        failed(entry.seq, err);
      }
    }
    record = { ...record, cursor: entry.seq };
  }

  // The name is kept current in the record, so a conversation one was removed from still shows its last name.
  record = { ...record, name: groupName(group) };
  const previous = conv.group;
  conv.group = record.status === "active" ? group : undefined;
  conv.staged = staged;
  try {
    await ctx.store.write({ conversations: [conv.snapshot({ ...record })], history });
  } catch (err) {
    // Not stored: keep the previous state so the same entries are fetched and applied again.
    conv.group = previous;
    throw err;
  }
  conv.record = record;
  if (merged !== undefined) conv.lastMergedCommitEpoch = merged;
  for (const wipe of wipes) wipe();
  for (const notice of notices) notice();
  if (lost && conv.active) await rejoin(ctx, conv, lost);
}

function ownMember(group: MlsGroup, deviceId: string) {
  const me = group.members().find((m) => m.leafIndex === group.ownLeafIndex);
  if (!me || addressOf(me)?.deviceId !== deviceId) throw new ParleyClientError("mls", "own leaf not found");
  return me;
}

function membersAt(group: MlsGroup, leafIndex: number) {
  return group.members().find((m) => m.leafIndex === leafIndex);
}

/** Membership and name changes between two epochs, as application events. */
function changeNotices(
  ctx: ClientContext,
  conversationId: string,
  before: MlsGroup,
  after: MlsGroup,
  by: ReturnType<typeof memberInfo> | undefined,
): (() => void)[] {
  const out: (() => void)[] = [];
  const { added, removed } = withoutRejoins(diffMembers(before.members(), after.members()));
  if (added.length > 0 || removed.length > 0) {
    const users = new Set(before.members().map((m) => addressOf(m)?.username));
    const event = {
      conversationId,
      epoch: Number(after.epoch),
      added: added.map((m) => ({ ...m, newDevice: users.has(m.username) })),
      removed,
      ...(by ? { by } : {}),
    };
    out.push(() => ctx.events.emit("membership", event));
  }
  const name = groupName(after);
  if (name !== groupName(before))
    out.push(() => ctx.events.emit("renamed", { conversationId, name, ...(by ? { by } : {}) }));
  return out;
}

/** The member who commits a leaver's removal: the lowest leaf that belongs to someone else (one, not everyone). */
export function designatedRemover(group: MlsGroup, leaver: string): string | undefined {
  const others = group
    .members()
    .map((m) => ({ leaf: m.leafIndex, address: addressOf(m) }))
    .filter((m) => m.address && m.address.username !== leaver)
    .sort((a, b) => a.leaf - b.leaf);
  return others[0]?.address?.deviceId;
}

/** A device that rejoined (rejoin.ts) left one leaf and took another: it is no membership change. */
function withoutRejoins(change: ReturnType<typeof diffMembers>): ReturnType<typeof diffMembers> {
  const rejoined = new Set(
    change.added.filter((a) => change.removed.some((r) => r.deviceId === a.deviceId)).map((a) => a.deviceId),
  );
  return {
    added: change.added.filter((m) => !rejoined.has(m.deviceId)),
    removed: change.removed.filter((m) => !rejoined.has(m.deviceId)),
  };
}
