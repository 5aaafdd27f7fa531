import type { Member } from "@parley/mls";
import { TrustRefusal } from "../errors.js";
import { snowflakeFromIdentity } from "./snowflake.js";

/*
 * Credential continuity: a leaf names one user, with one signature key, from the commit that adds it to the
 * commit that removes it. MLS lets a commit's UpdatePath (or an Update) carry a new credential; in DAVE nothing
 * legitimate does, and a changed user id would silently hand someone else's place, and media key, to another.
 */

const userIdOf = (m: Member) =>
  m.credential.type === "basic" ? snowflakeFromIdentity(m.credential.identity) : undefined;

const sameKey = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * Every leaf of `before` that the commit did not remove (`removedLeaves`) is still there in `after`, naming the
 * same user with the same signature key; throws a TrustRefusal "credential-changed" otherwise.
 */
export function checkContinuity(
  before: readonly Member[],
  after: readonly Member[],
  removedLeaves: ReadonlySet<number>,
): void {
  const next = new Map(after.map((m) => [m.leafIndex, m]));
  for (const member of before) {
    if (removedLeaves.has(member.leafIndex)) continue;
    const now = next.get(member.leafIndex);
    const was = userIdOf(member);
    if (now === undefined) {
      throw new TrustRefusal(
        "credential-changed",
        `leaf ${member.leafIndex} (user ${was}) vanished unremoved`,
      );
    }
    if (userIdOf(now) !== was) {
      throw new TrustRefusal(
        "credential-changed",
        `leaf ${member.leafIndex} changed from user ${was} to ${userIdOf(now) ?? "a non-DAVE credential"}`,
      );
    }
    if (!sameKey(now.signatureKey, member.signatureKey)) {
      throw new TrustRefusal("credential-changed", `user ${was} changed its signature key`);
    }
  }
}

/** A joined group's own leaf must be this member: its user id and signature key (a Welcome's roster check). */
export function checkOwnLeaf(
  members: readonly Member[],
  ownLeafIndex: number,
  selfUserId: string,
  signatureKey: Uint8Array,
): void {
  const own = members.find((m) => m.leafIndex === ownLeafIndex);
  if (own === undefined || userIdOf(own) !== selfUserId || !sameKey(own.signatureKey, signatureKey)) {
    throw new TrustRefusal("credential-changed", `the Welcome's leaf ${ownLeafIndex} is not this member`);
  }
}
