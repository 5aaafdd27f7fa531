import { randomUUID } from "node:crypto";
import { requireActive } from "./commit.js";
import { type Content, decodeContent, encodeContent } from "./content.js";
import type { ClientContext } from "./context.js";
import type { Conversation } from "./conversation.js";
import { asClientError, isClientError, ParleyClientError } from "./errors.js";
import type { HistoryRecord, OutboxRecord } from "./storage/store.js";
import { syncConversation } from "./sync.js";

const WRONG_EPOCH_RETRIES = 3;
const NETWORK_RETRIES = 2;

/**
 * Send an application message (caller holds the lock). The ratcheted state and the ciphertext are stored
 * together before posting, so a generation key is never reused and a crash resends the same bytes under the
 * same Idempotency-Key. If the group moved too far on meanwhile, the content is encrypted again on the new epoch.
 */
export async function sendContent(ctx: ClientContext, conv: Conversation, content: Content): Promise<number> {
  const encoded = encodeContent(content);
  for (let attempt = 0; attempt <= WRONG_EPOCH_RETRIES; attempt++) {
    const group = requireActive(conv);
    let encrypted: Awaited<ReturnType<typeof group.encrypt>>;
    try {
      encrypted = await group.encrypt(encoded);
    } catch (err) {
      throw asClientError(err, "mls", "encrypting the message");
    }
    const outbox: OutboxRecord = {
      id: randomUUID(),
      groupId: conv.id,
      epoch: Number(group.epoch),
      message: encrypted.message,
      content: encoded,
      createdAt: Date.now(),
    };
    conv.group = encrypted.group;
    await ctx.store.write({ conversations: [conv.snapshot()], outbox: [outbox] });
    encrypted.forgetPrevious();
    const seq = await deliver(ctx, conv, outbox);
    if (seq !== undefined) return seq;
    await syncConversation(ctx, conv);
  }
  throw new ParleyClientError("retries-exhausted", "the group's epoch kept moving while sending");
}

/** Post one stored message; undefined when its epoch is too old (it was deleted from the outbox). */
export async function deliver(
  ctx: ClientContext,
  conv: Conversation,
  outbox: OutboxRecord,
): Promise<number | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      const outcome = await ctx.transport.postMessage(conv.id, outbox.message, outbox.id);
      if (outcome.kind === "wrong-epoch") {
        await ctx.store.write({ deleteOutbox: [outbox.id] });
        return undefined;
      }
      const content = decodeContent(outbox.content);
      const history: HistoryRecord[] =
        content?.type === "text"
          ? [
              {
                groupId: conv.id,
                seq: outcome.seq,
                username: ctx.me.username,
                deviceId: ctx.me.deviceId,
                text: content.text,
                sentAt: content.sentAt,
              },
            ]
          : [];
      await ctx.store.write({ deleteOutbox: [outbox.id], history });
      return outcome.seq;
    } catch (err) {
      // The Idempotency-Key makes a resend safe: the server returns the first result if it stored it.
      if (isClientError(err, "network") && attempt < NETWORK_RETRIES) continue;
      throw err;
    }
  }
}

/** Resend what a crash or an outage left in the outbox (caller holds the lock). */
export async function flushOutbox(
  ctx: ClientContext,
  conv: Conversation,
  items: OutboxRecord[],
): Promise<void> {
  for (const item of items) {
    if (!conv.active) {
      await ctx.store.write({ deleteOutbox: [item.id] });
      continue;
    }
    const seq = await deliver(ctx, conv, item);
    if (seq === undefined) {
      const content = decodeContent(item.content);
      if (content) await sendContent(ctx, conv, content);
    }
  }
}
