import { MlsGroup } from "@parley/mls";
import type { ClientContext } from "./context.js";
import type { Conversation } from "./conversation.js";
import { asClientError, isClientError, ParleyClientError } from "./errors.js";
import { newKeyPackage } from "./keyPackagePool.js";

/**
 * This device could not process a commit, so it cannot follow the group any more. It rejoins by external
 * commit (RFC 9420 §12.4.3.2) from the server's current GroupInfo, with resync: the commit removes its old
 * leaf and adds a fresh one, and the other members simply process it. The caller holds the conversation's lock
 * and has stored everything before the failed commit.
 *
 * A refusal because another commit won the epoch is retried on a fresh GroupInfo, a bounded number of times.
 * A GroupInfo that cannot be joined (invalid, or behind the group because the commit that moved the group
 * published none) marks the conversation broken. Network failures are thrown: the next sync tries again.
 */
export async function rejoin(
  ctx: ClientContext,
  conv: Conversation,
  cause: ParleyClientError,
): Promise<void> {
  if (!conv.group) return;
  let behind: number | undefined; // the group's epoch as the last refusal told it
  for (let attempt = 0; attempt <= ctx.maxCommitRetries; attempt++) {
    let groupInfo: Uint8Array;
    try {
      groupInfo = await ctx.transport.fetchGroupInfo(conv.id);
    } catch (err) {
      if (isClientError(err, "not-found")) return markBroken(ctx, conv, err, cause);
      throw err;
    }
    let join: Awaited<ReturnType<typeof MlsGroup.joinExternal>>;
    try {
      const keyPackage = await newKeyPackage(ctx.suite, {
        address: ctx.me,
        keys: ctx.keys,
        identity: ctx.identity,
      });
      join = await MlsGroup.joinExternal(ctx.suite, groupInfo, keyPackage, {
        ...ctx.groupOptions,
        resync: true,
      });
    } catch (err) {
      return markBroken(ctx, conv, asClientError(err, "mls", "the server's GroupInfo"), cause);
    }
    // Every leaf of the tree we would join is checked like a Welcome's roster: no rejoin into a forged leaf's
    // group (the error leaves the conversation waiting at the commit, as an untrusted commit does).
    await ctx.trust.checkRoster(join.group, conv.id);
    const epoch = Number(join.group.epoch) - 1; // the epoch of the GroupInfo, which the commit is made in
    if (behind !== undefined && epoch < behind) {
      // Each commit stores its GroupInfo with it; this one is older than the group, so the commit that moved
      // the group on published none, and there is nothing left to join from.
      const stale = `the server's GroupInfo is for epoch ${epoch}, the group is at ${behind}`;
      return markBroken(ctx, conv, new ParleyClientError("mls", stale), cause);
    }
    const outcome = await ctx.transport.postCommit(conv.id, {
      commit: join.commit,
      groupInfo: await join.group.groupInfo(),
      added: [ctx.me.deviceId],
      removed: [ctx.me.deviceId],
    });
    if (outcome.kind === "accepted") return adopt(ctx, conv, join.group, outcome.seq, cause);
    behind = outcome.currentEpoch;
  }
  throw new ParleyClientError("retries-exhausted", "rejoining the conversation kept losing the epoch race", {
    cause,
  });
}

async function adopt(
  ctx: ClientContext,
  conv: Conversation,
  group: MlsGroup,
  seq: number,
  cause: ParleyClientError,
): Promise<void> {
  const old = conv.group;
  conv.group = group;
  // Everything up to our commit is in the GroupInfo we joined from: the log continues after it.
  const record = { ...conv.record, cursor: seq, joinedEpoch: Number(group.epoch), pending: null };
  try {
    await ctx.store.write({ conversations: [conv.snapshot(record)] });
  } catch (err) {
    conv.group = old;
    throw err;
  }
  conv.record = record;
  conv.staged = undefined;
  old?.forgetKeys();
  ctx.events.emit("rejoined", { conversationId: conv.id, epoch: Number(group.epoch), reason: cause });
}

/** No way back into the group: stored as broken (never silently skipped) and reported. */
async function markBroken(
  ctx: ClientContext,
  conv: Conversation,
  error: ParleyClientError,
  cause: ParleyClientError,
): Promise<void> {
  conv.group?.forgetKeys();
  conv.record = { ...conv.record, status: "broken", pending: null };
  conv.group = undefined;
  conv.staged = undefined;
  await ctx.store.write({ conversations: [conv.snapshot()] });
  ctx.events.emit("broken", { conversationId: conv.id, error, reason: cause });
}
