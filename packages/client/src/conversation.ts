import { encodeGroup, type Member, type MlsGroup, type StagedCommit } from "@parley/mls";
import type { MemberInfo } from "./events.js";
import { addressOf } from "./identity.js";
import { Mutex } from "./mutex.js";
import type { ConversationRecord, OutboxRecord } from "./storage/store.js";

/**
 * One conversation (an MLS group) on this device: the live group value, its stored record (cursor, pending
 * commit, status), its queue of unsent messages, and the lock that serialises everything done to it.
 */
export class Conversation {
  readonly lock = new Mutex();
  /** The staged commit behind `record.pending`, when this process made it (saves decoding its state again). */
  staged: StagedCommit | undefined;
  /** The epoch of the last commit of ours that was merged (lets an ambiguous send learn that it won). */
  lastMergedCommitEpoch: number | undefined;
  /** Messages stored and not yet delivered, oldest first: they are posted strictly in this order. */
  outbox: OutboxRecord[] = [];

  constructor(
    public record: ConversationRecord,
    public group: MlsGroup | undefined,
  ) {}

  get id(): string {
    return this.record.groupId;
  }

  get active(): boolean {
    return this.record.status === "active" && this.group !== undefined;
  }

  /** The record to store for the current group value, with any changes. */
  snapshot(changes: Partial<ConversationRecord> = {}): ConversationRecord {
    const record = { ...this.record, ...changes };
    return { ...record, state: record.status === "active" && this.group ? encodeGroup(this.group) : null };
  }

  members(): MemberInfo[] {
    return this.group ? memberInfos(this.group.members()) : [];
  }
}

export function memberInfo(member: Member): MemberInfo {
  const address = addressOf(member);
  return {
    username: address?.username ?? "",
    deviceId: address?.deviceId ?? "",
    leafIndex: member.leafIndex,
  };
}

export const memberInfos = (members: Member[]): MemberInfo[] => members.map(memberInfo);

/** Who joined and who left between two member lists (a leaf whose key changed counts as both). */
export function diffMembers(
  before: Member[],
  after: Member[],
): { added: MemberInfo[]; removed: MemberInfo[] } {
  const key = (m: Member) => `${m.leafIndex}:${Buffer.from(m.signatureKey).toString("base64")}`;
  const had = new Set(before.map(key));
  const has = new Set(after.map(key));
  return {
    added: memberInfos(after.filter((m) => !had.has(key(m)))),
    removed: memberInfos(before.filter((m) => !has.has(key(m)))),
  };
}
