import type { Logger } from "pino";
import { VoiceGatewayError } from "./errors.js";
import type { ValidKeyPackage } from "./keyPackage.js";
import { Op } from "./opcodes.js";
import { ProposalBook } from "./proposals.js";
import { Roster } from "./roster.js";
import { snowflakeToBytes } from "./snowflake.js";
import { Transitions } from "./transition.js";

/** The highest DAVE protocol version this gateway speaks. */
export const MAX_DAVE_PROTOCOL_VERSION = 1;

/** A connected, identified client as the call sees it. */
export interface Peer {
  readonly userId: string;
  /** The client's max_dave_protocol_version, capped at what the gateway speaks. */
  readonly maxVersion: number;
  sendJson(op: number, d: unknown): void;
  sendBinary(op: number, payload: Uint8Array): void;
}

export interface Participant {
  readonly peer: Peer;
  /** The current key package of a pending member; cleared once it is welcomed. */
  keyPackage: ValidKeyPackage | undefined;
  /** The signature key of its last key package: a new group's creator commits with it. */
  signatureKey: Uint8Array | undefined;
  /**
   * This connection holds the group's current state (it made or processed the last commit, or was welcomed).
   * False for newcomers, for a user reconnecting under a stale leaf, and after op 31.
   */
  inGroup: boolean;
}

/**
 * What every part of a call reads and updates: who is connected, the DAVE protocol version, the MLS group's
 * public state (the delivery service's view: epoch, roster, the epoch's proposals) and pending transitions.
 */
export class CallState {
  readonly participants = new Map<string, Participant>();
  readonly groupId: Uint8Array;
  readonly transitions: Transitions;
  readonly book = new ProposalBook();
  version = MAX_DAVE_PROTOCOL_VERSION;
  established = false;
  epoch = 0n;
  roster = new Roster();
  commitsBroadcast = 0;
  commitsRejected = 0;

  constructor(
    channelId: string,
    transitionTimeoutMs: number,
    readonly log: Logger,
  ) {
    this.groupId = snowflakeToBytes(channelId);
    this.transitions = new Transitions(transitionTimeoutMs);
  }

  /** The participant for this connection; a stale connection (replaced or gone) gets a typed error. */
  current(peer: Peer): Participant {
    const p = this.participants.get(peer.userId);
    if (p?.peer !== peer) throw new VoiceGatewayError("wrong-state", "connection is no longer in the call");
    return p;
  }

  /** Members who hold the current group state and can process proposals and commits. */
  isHealthyMember(p: Participant): boolean {
    return p.inGroup && p.keyPackage === undefined && this.roster.has(p.peer.userId);
  }

  wantedVersion(): number {
    for (const p of this.participants.values()) if (p.peer.maxVersion === 0) return 0;
    return MAX_DAVE_PROTOCOL_VERSION;
  }

  /** Forget the group: no epoch, roster, proposals or transitions, and no participant holds it. */
  resetGroup(): void {
    this.established = false;
    this.epoch = 0n;
    this.roster = new Roster();
    this.book.clear();
    this.transitions.cancelAll();
    for (const p of this.participants.values()) {
      p.keyPackage = undefined;
      p.inGroup = false;
    }
  }

  /** op 22 to `userIds` once every one of them sent op 23, or after the transition timeout. */
  startTransition(id: number, userIds: readonly string[]): void {
    this.transitions.start(id, userIds, (timedOut) => {
      for (const userId of userIds) {
        this.participants.get(userId)?.peer.sendJson(Op.executeTransition, { transition_id: id });
      }
      this.log.info({ transitionId: id, timedOut }, "transition executed");
    });
  }
}
