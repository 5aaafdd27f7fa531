import { decodeKeyPackageBundle, encodeGroup, inspectMessage, MlsGroup } from "@parley/mls";
import { toBase64Url, toHex } from "./bytes.js";
import type { ClientContext } from "./context.js";
import { Conversation } from "./conversation.js";
import { asClientError, ParleyClientError } from "./errors.js";
import { groupName } from "./groupName.js";
import type { ConversationRecord, KeyPackageRecord } from "./storage/store.js";
import type { WelcomeEntry } from "./transport/transport.js";

export const WELCOME_CURSOR = "welcomeCursor";

/**
 * Join the groups whose Welcomes wait in this device's inbox, page by page (each bounded by the transport's
 * response limit). A Welcome too large to fetch, or that cannot be opened, is reported and skipped; one for a
 * conversation this device is active in is refused. Returns the conversations joined (or re-joined).
 */
export async function processWelcomes(
  ctx: ClientContext,
  conversations: Map<string, Conversation>,
): Promise<Conversation[]> {
  const joined: Conversation[] = [];
  let cursor = Number((await ctx.store.loadMeta(WELCOME_CURSOR)) ?? 0);
  // Each page moves the cursor past at least one entry (the transport checks ids increase), so this ends.
  for (;;) {
    const page = await ctx.transport.fetchWelcomes(cursor);
    for (const entry of page.entries) {
      const conv = entry.welcome
        ? await joinOne(ctx, conversations, { ...entry, welcome: entry.welcome })
        : await skip(ctx, entry);
      cursor = entry.id;
      if (conv) joined.push(conv);
    }
    if (!page.more || page.entries.length === 0) break;
  }
  return joined;
}

async function skip(ctx: ClientContext, entry: WelcomeEntry): Promise<undefined> {
  await ctx.store.write({ meta: { [WELCOME_CURSOR]: String(entry.id) } });
  ctx.events.emit("welcomeSkipped", {
    welcomeId: entry.id,
    conversationId: entry.groupId,
    size: entry.size,
    reason: "too-large",
  });
  return undefined;
}

async function joinOne(
  ctx: ClientContext,
  conversations: Map<string, Conversation>,
  entry: WelcomeEntry & { readonly welcome: Uint8Array },
): Promise<Conversation | undefined> {
  const meta = { [WELCOME_CURSOR]: String(entry.id) };
  let keyPackage: KeyPackageRecord | undefined;
  let group: MlsGroup;
  try {
    const info = inspectMessage(entry.welcome);
    if (info.wireFormat !== "mls_welcome")
      throw new ParleyClientError("mls", "the inbox entry is not a Welcome");
    for (const ref of info.newMembers) {
      keyPackage = await ctx.store.loadKeyPackage(toHex(ref));
      if (keyPackage) break;
    }
    if (!keyPackage) throw new ParleyClientError("mls", "no key package of this device opens the Welcome");
    const bundle = await decodeKeyPackageBundle(ctx.suite, keyPackage.bundle);
    group = await MlsGroup.joinFromWelcome(ctx.suite, entry.welcome, bundle, ctx.groupOptions);
    if (toBase64Url(group.groupId) !== entry.groupId)
      throw new ParleyClientError("mls", "the Welcome is for another group than the server said");
    await ctx.trust.checkRoster(group, entry.groupId);
  } catch (err) {
    await ctx.store.write({ meta });
    const error = asClientError(err, "mls", `Welcome ${entry.id}`);
    ctx.events.emit("error", { error, conversationId: entry.groupId });
    return undefined;
  }
  const existing = conversations.get(entry.groupId);
  const adopt = async (): Promise<Conversation | undefined> => {
    if (existing?.active) {
      // Whatever its epoch: a member (or the server) could forge a group with this id and other members.
      await ctx.store.write({ meta });
      ctx.events.emit("welcomeRefused", {
        welcomeId: entry.id,
        conversationId: entry.groupId,
        reason: "active",
      });
      return undefined;
    }
    const record: ConversationRecord = {
      groupId: entry.groupId,
      status: "active",
      state: encodeGroup(group),
      // The server shows a member the log from its joining commit on, so the cursor starts from nothing.
      cursor: 0,
      joinedEpoch: Number(group.epoch),
      name: groupName(group),
      pending: null,
      createdAt: existing?.record.createdAt ?? Date.now(),
    };
    await ctx.store.write({
      conversations: [record],
      ...(keyPackage.lastResort ? {} : { deleteKeyPackages: [keyPackage.ref] }),
      meta,
    });
    const conv = existing ?? new Conversation(record, group);
    conv.record = record;
    conv.group = group;
    conv.staged = undefined;
    conversations.set(entry.groupId, conv);
    ctx.events.emit("joined", {
      conversationId: entry.groupId,
      name: record.name,
      ...(existing ? { rejoined: true as const } : {}),
    });
    return conv;
  };
  // A conversation we held (left or removed, then added again) changes only under its own lock.
  return existing ? existing.lock.run(adopt) : adopt();
}
