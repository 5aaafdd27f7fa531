import type { ClientEvents, MemberInfo, OutgoingEvent, ParleyClient } from "@parley/client";
import { shortId } from "./devices.js";

/** What the chat prints for the client's events: one readable line per fact, from this user's point of view. */
export interface NoticeContext {
  readonly client: ParleyClient;
  /** The conversation's current name (or the start of its id). */
  label(conversationId: string): string;
}

const quoted = (name: string) => `"${name}"`;

function who(ctx: NoticeContext, member: MemberInfo | undefined): string {
  if (!member) return "someone";
  return member.deviceId === ctx.client.deviceId ? "you" : member.username;
}

/** The verification code of a device in a conversation, to compare with what its owner's device shows. */
function codeOf(ctx: NoticeContext, conversationId: string, deviceId: string): string {
  try {
    return ctx.client.members(conversationId).find((m) => m.deviceId === deviceId)?.verificationCode ?? "?";
  } catch {
    return "?"; // no longer a member ourselves
  }
}

function stillMember(ctx: NoticeContext, conversationId: string, username: string): boolean {
  try {
    return ctx.client.members(conversationId).some((m) => m.username === username);
  } catch {
    return false;
  }
}

const distinct = (members: MemberInfo[]) => [...new Set(members.map((m) => m.username))];

/** The lines for one membership change (without the conversation, which the caller adds when not open). */
export function membershipLines(ctx: NoticeContext, e: ClientEvents["membership"]): string[] {
  const me = ctx.client.username;
  const by = who(ctx, e.by);
  const lines: string[] = [];
  const mine = e.added.filter((m) => m.username === me);
  const devices = e.added.filter((m) => m.username !== me && m.newDevice);
  const people = distinct(e.added.filter((m) => m.username !== me && !m.newDevice));
  for (const m of mine) lines.push(`your device ${shortId(m.deviceId)} was added`);
  for (const m of devices)
    lines.push(`${m.username} added a device — verify: ${codeOf(ctx, e.conversationId, m.deviceId)}`);
  if (people.length > 0) lines.push(`${by} added ${people.join(", ")}`);

  // Our own removal is told by the `left` notice; a user who keeps other devices only lost one.
  const removed = e.removed.filter((m) => m.deviceId !== ctx.client.deviceId);
  for (const m of removed.filter((r) => stillMember(ctx, e.conversationId, r.username)))
    lines.push(
      m.username === me
        ? `your device ${shortId(m.deviceId)} was removed`
        : `${m.username}'s device ${shortId(m.deviceId)} was removed`,
    );
  const gone = distinct(removed.filter((r) => !stillMember(ctx, e.conversationId, r.username)));
  if (gone.length > 0) lines.push(`${by} removed ${gone.join(", ")}`);
  return lines;
}

export function renamedLine(ctx: NoticeContext, e: ClientEvents["renamed"]): string {
  return `${who(ctx, e.by)} renamed the conversation to ${quoted(e.name)}`;
}

export function joinedLine(ctx: NoticeContext, e: ClientEvents["joined"]): string {
  return `* you joined ${quoted(ctx.label(e.conversationId))}`;
}

export function leftLine(ctx: NoticeContext, e: ClientEvents["left"]): string {
  const name = quoted(ctx.label(e.conversationId));
  return e.reason === "left" ? `* you left ${name}` : `* you were removed from ${name}`;
}

export function connectionLine(e: ClientEvents["connection"]): string {
  return e.state === "connected" ? "* connected" : "* reconnecting…";
}

/** A new login on this account may be someone else's: say how to check, and how to shut it out. */
export function ownDevicesLines(e: ClientEvents["ownDevices"], codes: Map<string, string>): string[] {
  return [
    ...e.added.map((id) => {
      const code = codes.get(id);
      return (
        `* a new device logged in to your account: ${shortId(id)}${code ? ` (code ${code})` : ""}` +
        ` — if this was not you, run /devices revoke ${shortId(id)}`
      );
    }),
    ...e.removed.map((id) => `* your device ${shortId(id)} is no longer on your account`),
  ];
}

/** One of our own messages, with where it stands. */
export function ownMessageLine(
  me: string,
  text: string,
  state: OutgoingEvent["state"],
  error?: OutgoingEvent["error"],
): string {
  const status =
    state === "sent"
      ? "sent"
      : state === "pending"
        ? "pending: sent when the server is back"
        : `failed: ${error?.message ?? "refused"}`;
  return `${me}: ${text}  (${status})`;
}
