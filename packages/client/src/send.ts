import { randomUUID } from "node:crypto";
import { requireActive } from "./commit.js";
import { type Content, decodeContent, encodeContent } from "./content.js";
import type { ClientContext } from "./context.js";
import type { Conversation } from "./conversation.js";
import { asClientError, type ClientErrorCode, isClientError, ParleyClientError } from "./errors.js";
import type { OutgoingEvent, OutgoingState, PendingMessage } from "./events.js";
import type { HistoryRecord, OutboxRecord } from "./storage/store.js";
import { markRemoved, syncConversation } from "./sync.js";

const WRONG_EPOCH_RETRIES = 3;
const NETWORK_RETRIES = 2;

/** Failures after which a message may still go out later, so it stays queued; any other is a refusal. */
const TRANSIENT = new Set<ClientErrorCode>([
  "network",
  "server-error",
  "rate-limited",
  "unauthorized", // logging in again delivers it
  "not-logged-in",
  "malformed-response",
  "unexpected-status",
  "storage",
]);

export interface FlushOutcome {
  /** Each message that reached a final state: its sequence number, or why it failed. */
  readonly results: Map<string, number | ParleyClientError>;
  /** The transient failure that left the rest of the queue waiting. */
  readonly stopped?: ParleyClientError;
}

/**
 * Send an application message (caller holds the lock): store it at the end of the conversation's queue, then
 * deliver the queue in order. Resolves with its sequence number; rejects with the refusal if it failed, or
 * with the transient failure, marked `queued`, if it waits for the server behind or among older messages.
 */
export async function sendContent(ctx: ClientContext, conv: Conversation, content: Content): Promise<number> {
  const item = await encryptAndStore(ctx, conv, {
    id: randomUUID(),
    content: encodeContent(content),
    createdAt: Date.now(),
  });
  conv.outbox.push(item);
  notify(ctx, item, "pending");
  const { results, stopped } = await flushOutbox(ctx, conv);
  const result = results.get(item.id);
  if (typeof result === "number") return result;
  if (result) throw result;
  const reason = stopped ?? new ParleyClientError("network", "not delivered yet");
  throw new ParleyClientError(reason.code, `queued, sent in order once possible: ${reason.message}`, {
    ...reason.details,
    queued: true,
    cause: reason,
  });
}

/**
 * Deliver the conversation's queue oldest first (caller holds the lock). A transient failure stops it, so no
 * newer message overtakes a waiting one; a refused message is dropped from the queue as failed.
 */
export async function flushOutbox(ctx: ClientContext, conv: Conversation): Promise<FlushOutcome> {
  const results = new Map<string, number | ParleyClientError>();
  for (let item = conv.outbox[0]; item; item = conv.outbox[0]) {
    try {
      const seq = await deliverHead(ctx, conv);
      results.set(item.id, seq);
      notify(ctx, item, "sent", { seq });
    } catch (err) {
      const error = asClientError(err, "mls", "sending a message");
      if (TRANSIENT.has(error.code)) return { results, stopped: error };
      await ctx.store.write({ deleteOutbox: [item.id] });
      conv.outbox.shift();
      results.set(item.id, error);
      notify(ctx, item, "failed", { error });
    }
  }
  return { results };
}

/** The queue's text messages, oldest first. */
export function pendingTexts(conv: Conversation): PendingMessage[] {
  return conv.outbox.flatMap((item) => {
    const content = decodeContent(item.content);
    return content?.type === "text"
      ? [{ conversationId: conv.id, id: item.id, text: content.text, sentAt: content.sentAt }]
      : [];
  });
}

/**
 * Encrypt on the current epoch and store the ratcheted state with the ciphertext before anything is posted, so
 * a generation key is never used twice and a crash resends the same bytes under the same Idempotency-Key.
 */
async function encryptAndStore(
  ctx: ClientContext,
  conv: Conversation,
  item: Pick<OutboxRecord, "id" | "content" | "createdAt">,
): Promise<OutboxRecord> {
  const group = requireActive(conv);
  let encrypted: Awaited<ReturnType<typeof group.encrypt>>;
  try {
    encrypted = await group.encrypt(item.content);
  } catch (err) {
    throw asClientError(err, "mls", "encrypting the message");
  }
  const record: OutboxRecord = {
    id: item.id,
    groupId: conv.id,
    epoch: Number(group.epoch),
    message: encrypted.message,
    content: item.content,
    createdAt: item.createdAt,
  };
  conv.group = encrypted.group;
  await ctx.store.write({ conversations: [conv.snapshot()], outbox: [record] });
  encrypted.forgetPrevious();
  return record;
}

/** Post the head of the queue; once the server has it, drop it from the queue and keep it in the history. */
async function deliverHead(ctx: ClientContext, conv: Conversation): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const item = conv.outbox[0] as OutboxRecord;
    requireActive(conv);
    const outcome = await post(ctx, conv, item);
    if (outcome.kind === "accepted") {
      await ctx.store.write({ deleteOutbox: [item.id], history: historyOf(ctx, item, outcome.seq) });
      conv.outbox.shift();
      return outcome.seq;
    }
    if (attempt >= WRONG_EPOCH_RETRIES)
      throw new ParleyClientError("retries-exhausted", "the group's epoch kept moving while sending");
    // It waited while the group moved on too far: catch up, then encrypt the same content again in its place,
    // under the same id (the server stored nothing for it).
    await syncConversation(ctx, conv);
    conv.outbox[0] = await encryptAndStore(ctx, conv, item);
  }
}

async function post(ctx: ClientContext, conv: Conversation, item: OutboxRecord) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.transport.postMessage(conv.id, item.message, item.id);
    } catch (err) {
      // The Idempotency-Key makes a resend safe: the server returns the first result if it stored it.
      if (isClientError(err, "network") && attempt < NETWORK_RETRIES) continue;
      if (isClientError(err, "not-found")) await markRemoved(ctx, conv); // the group is gone for this device
      throw err;
    }
  }
}

function historyOf(ctx: ClientContext, item: OutboxRecord, seq: number): HistoryRecord[] {
  const content = decodeContent(item.content);
  if (content?.type !== "text") return [];
  const { username, deviceId } = ctx.me;
  return [{ groupId: item.groupId, seq, username, deviceId, text: content.text, sentAt: content.sentAt }];
}

function notify(
  ctx: ClientContext,
  item: OutboxRecord,
  state: OutgoingState,
  outcome: Pick<OutgoingEvent, "seq" | "error"> = {},
): void {
  const content = decodeContent(item.content);
  if (content?.type !== "text") return; // only chat lines are the application's to show
  const { groupId: conversationId, id } = item;
  ctx.events.emit("outgoing", {
    conversationId,
    id,
    text: content.text,
    sentAt: content.sentAt,
    state,
    ...outcome,
  });
}
