import type { Member } from "@parley/mls";
import { snowflakeFromIdentity } from "./snowflake.js";

/** user id → signature key; in a change, an empty key means the user left. */
export type Roster = Map<string, Uint8Array>;

/** The group's members by user id; throws on a member that is not a DAVE user or on a duplicated user. */
export function rosterOf(members: readonly Member[]): Roster {
  const roster: Roster = new Map();
  for (const m of members) {
    const userId = m.credential.type === "basic" ? snowflakeFromIdentity(m.credential.identity) : undefined;
    if (userId === undefined) throw new Error(`leaf ${m.leafIndex} does not carry an 8-byte user id`);
    if (roster.has(userId)) throw new Error(`user ${userId} appears twice in the group`);
    roster.set(userId, m.signatureKey);
  }
  return roster;
}

/** What changed from `before` to `after`: users added (or with a new key) with their key, users gone with none. */
export function rosterChange(before: Roster, after: Roster): Roster {
  const change: Roster = new Map();
  for (const [userId, key] of after) {
    const old = before.get(userId);
    if (old === undefined || !Buffer.from(old).equals(Buffer.from(key))) change.set(userId, key);
  }
  for (const userId of before.keys()) if (!after.has(userId)) change.set(userId, new Uint8Array());
  return change;
}
