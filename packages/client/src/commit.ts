import { type CommitChanges, encodeGroup, type MlsGroup } from "@parley/mls";
import type { ClientContext } from "./context.js";
import type { Conversation } from "./conversation.js";
import { asClientError, isClientError, ParleyClientError } from "./errors.js";
import type { PendingCommitRecord } from "./storage/store.js";
import { applyEntries, bundleOf, dropPending, syncConversation } from "./sync.js";

/** A change to commit on the group's current epoch; device ids tell the server who joins and who leaves. */
export interface CommitPlan {
  readonly changes: Omit<CommitChanges, "publicMessage">;
  readonly added: string[];
  readonly removed: string[];
}

/** Plans a change against the group as it is now; undefined when there is nothing (left) to do. */
export type Planner = (group: MlsGroup) => Promise<CommitPlan | undefined> | CommitPlan | undefined;

export function requireActive(conv: Conversation): MlsGroup {
  if (!conv.active || !conv.group)
    throw new ParleyClientError("not-member", "this device is no longer a member of the conversation");
  return conv.group;
}

/**
 * The commit discipline (caller holds the conversation's lock): catch up, stage, store the pending commit, send
 * the bundle, and merge only once the server accepted it.
 * - 409: another commit won the epoch; process it and plan again on the new epoch (bounded retries).
 * - No answer: ask the server (epoch, then the log) whether our commit won before deciding anything.
 * - Any other refusal: the server stored nothing; the pending commit is dropped and the error returned.
 * The pending commit is stored before sending, so a crash at any point recovers through the same log check.
 */
export async function runCommit(ctx: ClientContext, conv: Conversation, plan: Planner): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    await syncConversation(ctx, conv);
    const group = requireActive(conv);
    if (conv.record.pending) {
      throw new ParleyClientError("commit-pending", "an earlier commit is still unresolved; try again later");
    }
    const change = await plan(group);
    if (!change) return false;
    if (attempt > ctx.maxCommitRetries) {
      throw new ParleyClientError("retries-exhausted", `lost the epoch race ${attempt} times`);
    }
    let staged: Awaited<ReturnType<MlsGroup["commit"]>>;
    try {
      // Always a PublicMessage, with the next GroupInfo: the server verifies the commit against the group's
      // public state, derives the membership change from it, and refuses commits it cannot read.
      staged = await group.commit({ ...change.changes, publicMessage: true });
    } catch (err) {
      throw asClientError(err, "mls", "staging the commit");
    }
    const pending: PendingCommitRecord = {
      epoch: Number(group.epoch),
      commit: staged.commit,
      ...(staged.welcome ? { welcome: staged.welcome } : {}),
      added: change.added,
      removed: change.removed,
      state: encodeGroup(staged.group),
    };
    conv.record = { ...conv.record, pending };
    conv.staged = staged;
    await ctx.store.write({ conversations: [conv.snapshot()] });

    let outcome: Awaited<ReturnType<ClientContext["transport"]["postCommit"]>>;
    try {
      outcome = await ctx.transport.postCommit(conv.id, bundleOf(pending, await staged.group.groupInfo()));
    } catch (err) {
      if (!isClientError(err, "network")) {
        await dropPending(ctx, conv);
        throw err;
      }
      // Ambiguous: the server may hold our commit. The sync asks for the epoch and reads the log.
      try {
        await syncConversation(ctx, conv);
      } catch (again) {
        if (isClientError(again, "network"))
          throw new ParleyClientError(
            "commit-pending",
            "the server did not answer; the commit is resolved on the next sync",
            {
              cause: again,
            },
          );
        throw again;
      }
      if (conv.record.pending) return true; // accepted on resend; merged on the next sync
      if (Number(conv.group?.epoch ?? -1) > pending.epoch && wasOurs(conv, pending)) return true;
      continue;
    }
    if (outcome.kind === "conflict") {
      await dropPending(ctx, conv);
      continue;
    }
    conv.record = { ...conv.record, pending: { ...pending, acceptedSeq: outcome.seq } };
    if (outcome.seq === conv.record.cursor + 1) {
      // Nothing else in the log before it: merge now, exactly as the log would have it.
      await applyEntries(ctx, conv, [
        {
          seq: outcome.seq,
          kind: "commit",
          epoch: pending.epoch,
          sender: ctx.me.deviceId,
          message: pending.commit,
        },
      ]);
    } else {
      // Earlier messages of the old epoch come first; the merge happens when the log reaches our commit.
      await ctx.store.write({ conversations: [conv.snapshot()] });
      try {
        await syncConversation(ctx, conv);
      } catch (err) {
        if (!isClientError(err, "network")) throw err;
        // Accepted and stored as such: the merge completes on the next sync.
      }
    }
    return true;
  }
}

/** After an ambiguous send and a sync: did the group move on through our commit (tracked by the last merge)? */
function wasOurs(conv: Conversation, pending: PendingCommitRecord): boolean {
  return conv.lastMergedCommitEpoch === pending.epoch;
}
