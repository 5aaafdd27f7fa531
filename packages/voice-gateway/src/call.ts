import { writeVarint } from "@parley/mls";
import type { Logger } from "pino";
import { type AcceptedCommit, validateCommit } from "./commit.js";
import { VoiceGatewayError } from "./errors.js";
import type { ExternalSender } from "./externalSender.js";
import { concatBytes, withTransitionId } from "./framing.js";
import { type ValidKeyPackage, validateKeyPackage } from "./keyPackage.js";
import { Op, ProposalsOperation } from "./opcodes.js";
import { type ProposalBody, ProposalBook, type ProposalEntry } from "./proposals.js";
import { decodeMediaSend, encodeMediaReceive } from "./relay.js";
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

export interface CallOptions {
  readonly transitionTimeoutMs: number;
  readonly proposalBatchMs: number;
}

/** A read-only view of a call's public state, for status pages and tests. */
export interface CallSnapshot {
  readonly channelId: string;
  readonly protocolVersion: number;
  readonly established: boolean;
  readonly epoch: bigint;
  readonly roster: ReadonlyArray<{ readonly leaf: number; readonly userId: string }>;
  readonly participants: readonly string[];
  readonly unrevokedProposals: number;
  readonly pendingTransitions: number;
  readonly commitsBroadcast: number;
  readonly commitsRejected: number;
}

interface Participant {
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
 * One voice channel: who is connected, the DAVE protocol version, and the MLS group's public state. Every
 * event runs on one queue, so proposals are signed for the epoch that is current when they go out and a
 * commit is judged against exactly the proposals sent before it.
 */
export class Call {
  private readonly participants = new Map<string, Participant>();
  private readonly groupId: Uint8Array;
  private readonly transitions: Transitions;
  private version = MAX_DAVE_PROTOCOL_VERSION;
  private established = false;
  private epoch = 0n;
  private roster = new Roster();
  private readonly book = new ProposalBook();
  private flushTimer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private commitsBroadcast = 0;
  private commitsRejected = 0;
  private closed = false;
  private joining = 0;

  constructor(
    readonly channelId: string,
    private readonly externalSender: ExternalSender,
    private readonly options: CallOptions,
    private readonly log: Logger,
  ) {
    this.groupId = snowflakeToBytes(channelId);
    this.transitions = new Transitions(options.transitionTimeoutMs);
  }

  /** No one is connected or about to join: the server may drop this call. */
  get idle(): boolean {
    return this.participants.size === 0 && this.joining === 0;
  }

  snapshot(): CallSnapshot {
    return {
      channelId: this.channelId,
      protocolVersion: this.version,
      established: this.established,
      epoch: this.epoch,
      roster: [...this.roster.leaves].map(([leaf, l]) => ({ leaf, userId: l.userId })),
      participants: [...this.participants.keys()],
      unrevokedProposals: this.book.unrevoked().length,
      pendingTransitions: this.transitions.size,
      commitsBroadcast: this.commitsBroadcast,
      commitsRejected: this.commitsRejected,
    };
  }

  /** A newcomer after identify: op 4, op 11 both ways, op 25, and a downgrade if it lacks DAVE. */
  join(peer: Peer): Promise<void> {
    this.joining++;
    return this.serially(async () => {
      this.joining--;
      if (this.participants.has(peer.userId)) {
        throw new VoiceGatewayError("invalid-identify", `user ${peer.userId} is already in this channel`);
      }
      this.participants.set(peer.userId, {
        peer,
        keyPackage: undefined,
        signatureKey: undefined,
        inGroup: false,
      });
      const before = this.version;
      const after = this.wantedVersion();
      peer.sendJson(Op.selectProtocolAck, { dave_protocol_version: after });
      const others = [...this.participants.values()].filter((p) => p.peer !== peer);
      if (others.length > 0) {
        peer.sendJson(Op.clientsConnect, { user_ids: others.map((p) => p.peer.userId) });
        for (const other of others) other.peer.sendJson(Op.clientsConnect, { user_ids: [peer.userId] });
      }
      if (peer.maxVersion >= 1) peer.sendBinary(Op.externalSenderPackage, this.externalSender.package);
      if (before !== 0 && after === 0) {
        this.downgrade();
      } else if (after !== 0 && !this.established) {
        // Initial group creation: a newcomer gets the adds already in flight for the other pending members.
        const inFlight = this.book
          .unrevoked()
          .filter((e) => e.body.type === "add" && e.body.userId !== peer.userId);
        if (inFlight.length > 0) this.sendAppend(peer.userId, inFlight);
      }
      this.log.info(
        { userId: peer.userId, protocolVersion: after, present: this.participants.size },
        "joined",
      );
    });
  }

  /** The connection closed: op 13 to the others, then revoke, remove, reset or upgrade as needed. */
  leave(peer: Peer): Promise<void> {
    return this.serially(async () => {
      if (this.participants.get(peer.userId)?.peer !== peer) return;
      this.participants.delete(peer.userId);
      for (const p of this.participants.values())
        p.peer.sendJson(Op.clientDisconnect, { user_id: peer.userId });
      this.transitions.leave(peer.userId);
      this.log.info({ userId: peer.userId, present: this.participants.size }, "left");
      if (this.participants.size === 0) {
        this.resetGroupState();
        this.version = MAX_DAVE_PROTOCOL_VERSION;
      } else if (this.version === 0 && this.wantedVersion() !== 0) {
        this.upgrade();
      } else if (this.version !== 0) {
        this.afterMembershipChange();
      }
    });
  }

  /** op 26. */
  keyPackage(peer: Peer, bytes: Uint8Array): Promise<void> {
    return this.serially(async () => {
      const p = this.current(peer);
      if (this.version === 0)
        throw new VoiceGatewayError("wrong-state", "key package while the call is at version 0");
      const keyPackage = await validateKeyPackage(bytes, peer.userId);
      p.keyPackage = keyPackage;
      p.signatureKey = keyPackage.signatureKey;
      this.log.info({ userId: peer.userId, inGroup: this.roster.has(peer.userId) }, "key package accepted");
      // A member sending a key package has lost its group state: remove its old leaf and add it again.
      if (this.established && this.roster.has(peer.userId)) this.afterMembershipChange();
      else this.scheduleFlush();
    });
  }

  /** op 28: the first valid commit of the epoch wins; anything else is dropped, never broadcast. */
  commit(peer: Peer, payload: Uint8Array): Promise<void> {
    return this.serially(async () => {
      const p = this.current(peer);
      if (this.version === 0)
        throw new VoiceGatewayError("wrong-state", "commit while the call is at version 0");
      let accepted: AcceptedCommit;
      try {
        accepted = await validateCommit(payload, {
          groupId: this.groupId,
          epoch: this.epoch,
          established: this.established,
          roster: this.roster,
          expected: this.book
            .unrevoked()
            .filter((e) => this.established || !(e.body.type === "add" && e.body.userId === peer.userId)),
          committer: { userId: peer.userId, signatureKey: p.signatureKey },
        });
      } catch (err) {
        this.commitsRejected++;
        throw err;
      }
      this.broadcastCommit(peer, accepted);
    });
  }

  /** op 23. */
  ready(peer: Peer, d: unknown): Promise<void> {
    return this.serially(async () => {
      this.current(peer);
      const id = transitionIdOf(d);
      if (!this.transitions.ready(peer.userId, id)) {
        this.log.debug({ userId: peer.userId, transitionId: id }, "ready for a transition not awaited");
      }
    });
  }

  /** op 31: remove the flagging member; it is added again with its next key package. */
  invalidCommitWelcome(peer: Peer, d: unknown): Promise<void> {
    return this.serially(async () => {
      const p = this.current(peer);
      const id = transitionIdOf(d);
      p.keyPackage = undefined;
      const hadLeaf = p.inGroup;
      p.inGroup = false;
      this.transitions.leave(peer.userId);
      this.log.warn(
        { userId: peer.userId, transitionId: id, inGroup: hadLeaf },
        "member reported an invalid commit or welcome",
      );
      if (this.version !== 0) this.afterMembershipChange();
    });
  }

  /** op 200: forward unchanged to everyone else in the call, tagged with the sender. Not queued: media is hot. */
  relay(peer: Peer, payload: Uint8Array): void {
    if (this.participants.get(peer.userId)?.peer !== peer) return;
    const out = encodeMediaReceive(peer.userId, decodeMediaSend(payload));
    for (const p of this.participants.values()) if (p.peer !== peer) p.peer.sendBinary(Op.mediaReceive, out);
  }

  /** Stop timers; the server is shutting down. */
  close(): void {
    this.closed = true;
    this.transitions.cancelAll();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  // --- group life cycle -------------------------------------------------------------------------------

  private wantedVersion(): number {
    for (const p of this.participants.values()) if (p.peer.maxVersion === 0) return 0;
    return MAX_DAVE_PROTOCOL_VERSION;
  }

  /** Members who hold the current group state and can process proposals and commits. */
  private isHealthyMember(p: Participant): boolean {
    return p.inGroup && p.keyPackage === undefined && this.roster.has(p.peer.userId);
  }

  /**
   * After someone left or lost its state: a group nobody healthy can commit to, or with a sole member left,
   * is dropped and re-created (protocol.md "Sole member reset"); otherwise proposals follow.
   */
  private afterMembershipChange(): void {
    if (this.established) {
      const healthy = [...this.participants.values()].filter((p) => this.isHealthyMember(p));
      if (this.participants.size <= 1 || healthy.length === 0) {
        this.recreateGroup();
        return;
      }
    }
    this.scheduleFlush();
  }

  /** op 24 epoch 1 to everyone (and op 21 id 0 to a sole member): the group is re-created from key packages. */
  private recreateGroup(): void {
    this.resetGroupState();
    const everyone = [...this.participants.values()];
    for (const p of everyone) {
      p.peer.sendJson(Op.prepareEpoch, { epoch: 1, protocol_version: this.version });
    }
    if (everyone.length === 1) {
      everyone[0]?.peer.sendJson(Op.prepareTransition, { transition_id: 0, protocol_version: this.version });
    }
    this.log.info(
      { present: everyone.length, protocolVersion: this.version },
      "group reset: awaiting key packages",
    );
  }

  /** A client without DAVE joined: everyone moves to passthrough (op 21 version 0, op 23, op 22). */
  private downgrade(): void {
    this.version = 0;
    this.resetGroupState();
    const dave = [...this.participants.values()].filter((p) => p.peer.maxVersion >= 1).map((p) => p.peer);
    if (dave.length === 0) return;
    const id = this.transitions.allocateId();
    for (const peer of dave) peer.sendJson(Op.prepareTransition, { transition_id: id, protocol_version: 0 });
    this.startTransition(
      id,
      dave.map((peer) => peer.userId),
    );
    this.log.info({ transitionId: id, members: dave.length }, "downgrade to protocol version 0");
  }

  /** The last client without DAVE left: a new group is created at version 1. */
  private upgrade(): void {
    this.version = MAX_DAVE_PROTOCOL_VERSION;
    this.log.info({ present: this.participants.size }, "upgrade to protocol version 1");
    this.recreateGroup();
  }

  private resetGroupState(): void {
    this.established = false;
    this.epoch = 0n;
    this.roster = new Roster();
    this.book.clear();
    this.transitions.cancelAll();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const p of this.participants.values()) {
      p.keyPackage = undefined;
      p.inGroup = false;
    }
  }

  // --- proposals ----------------------------------------------------------------------------------------

  /** Batch proposals: wait a short window so several joins or leaves go out as one op 27. */
  private scheduleFlush(): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.serially(() => this.flush()).catch((err: unknown) => {
        this.log.error(
          { reason: err instanceof Error ? err.message : "unknown" },
          "could not send proposals",
        );
      });
    }, this.options.proposalBatchMs);
    this.flushTimer.unref();
  }

  /**
   * Bring the proposals in line with who is connected: revoke adds of members who left or replaced their key
   * package, then propose removes for leaves whose user left or lost its state and adds for pending key
   * packages, all for the current epoch.
   */
  private async flush(): Promise<void> {
    if (this.version === 0 || this.closed) return;
    const revokes = new Map<string, Uint8Array[]>();
    for (const entry of this.book.unrevoked()) {
      if (entry.body.type !== "add") continue;
      const p = this.participants.get(entry.body.userId);
      if (p?.keyPackage && Buffer.from(p.keyPackage.ref).equals(Buffer.from(entry.body.keyPackage.ref)))
        continue;
      entry.revoked = true;
      for (const userId of entry.recipients) revokes.set(userId, [...(revokes.get(userId) ?? []), entry.ref]);
    }
    for (const [userId, refs] of revokes) this.sendRevoke(userId, refs);
    if (revokes.size > 0) this.log.info({ recipients: revokes.size }, "revoked pending adds");

    const bodies: ProposalBody[] = [];
    if (this.established) {
      for (const [leaf, { userId }] of this.roster.leaves) {
        const p = this.participants.get(userId);
        if ((!p || !this.isHealthyMember(p)) && !this.book.removeFor(leaf))
          bodies.push({ type: "remove", leaf, userId });
      }
    }
    for (const p of this.participants.values()) {
      if (p.keyPackage && !this.book.addFor(p.peer.userId)) {
        bodies.push({ type: "add", userId: p.peer.userId, keyPackage: p.keyPackage });
      }
    }
    if (bodies.length === 0) return;

    const entries: ProposalEntry[] = [];
    for (const body of bodies) {
      const signed = await this.externalSender.propose(
        this.groupId,
        this.epoch,
        body.type === "add" ? { add: body.keyPackage.bytes } : { remove: body.leaf },
      );
      entries.push(this.book.record({ ...signed, body }));
    }
    const recipients = this.established
      ? [...this.participants.values()].filter((p) => this.isHealthyMember(p))
      : [...this.participants.values()].filter((p) => p.peer.maxVersion >= 1);
    for (const p of recipients) {
      const mine = entries.filter(
        (e) => this.established || !(e.body.type === "add" && e.body.userId === p.peer.userId),
      );
      if (mine.length > 0) this.sendAppend(p.peer.userId, mine);
    }
    this.log.info(
      {
        epoch: this.epoch,
        adds: bodies.filter((b) => b.type === "add").length,
        removes: bodies.filter((b) => b.type === "remove").length,
        recipients: recipients.length,
      },
      "proposals sent",
    );
  }

  /** op 27 append: `0 ‖ vector<V> of MLSMessage proposals`. */
  private sendAppend(userId: string, entries: readonly ProposalEntry[]): void {
    const p = this.participants.get(userId);
    if (!p) return;
    const body = concatBytes(...entries.map((e) => e.message));
    p.peer.sendBinary(
      Op.proposals,
      concatBytes(Uint8Array.of(ProposalsOperation.append), writeVarint(body.length), body),
    );
    for (const e of entries) e.recipients.add(userId);
  }

  /** op 27 revoke: `1 ‖ vector<V> of ProposalRef<V>`. */
  private sendRevoke(userId: string, refs: readonly Uint8Array[]): void {
    const p = this.participants.get(userId);
    if (!p) return;
    const body = concatBytes(...refs.flatMap((r) => [writeVarint(r.length), r]));
    p.peer.sendBinary(
      Op.proposals,
      concatBytes(Uint8Array.of(ProposalsOperation.revoke), writeVarint(body.length), body),
    );
  }

  // --- commits --------------------------------------------------------------------------------------------

  /** The winner: op 29 to the members who process it, op 30 to the added ones, then the transition. */
  private broadcastCommit(committer: Peer, accepted: AcceptedCommit): void {
    const processing = this.established
      ? [...this.participants.values()].filter(
          (p) =>
            this.isHealthyMember(p) && !accepted.removed.includes(this.roster.leafOf(p.peer.userId) ?? -1),
        )
      : [this.current(committer)];
    const fromEpoch = this.epoch;
    this.established = true;
    this.epoch += 1n;
    this.roster = accepted.roster;
    this.book.clear();
    this.commitsBroadcast++;
    for (const p of processing) {
      p.keyPackage = undefined;
      p.inGroup = true;
    }
    const welcomed: Participant[] = [];
    for (const { userId } of accepted.added) {
      const p = this.participants.get(userId);
      if (!p) continue;
      p.keyPackage = undefined;
      p.inGroup = true;
      welcomed.push(p);
    }

    const id = this.transitions.allocateId();
    const announce = withTransitionId(id, accepted.commit);
    for (const p of processing) p.peer.sendBinary(Op.announceCommitTransition, announce);
    if (accepted.welcome) {
      const welcome = withTransitionId(id, accepted.welcome);
      for (const p of welcomed) p.peer.sendBinary(Op.welcome, welcome);
    }
    this.startTransition(
      id,
      [...processing, ...welcomed].map((p) => p.peer.userId),
    );
    this.log.info(
      {
        committer: committer.userId,
        fromEpoch,
        epoch: this.epoch,
        transitionId: id,
        added: accepted.added.length,
        removed: accepted.removed.length,
        members: this.roster.size,
      },
      "commit broadcast",
    );
    this.afterMembershipChange();
  }

  private startTransition(id: number, userIds: readonly string[]): void {
    this.transitions.start(id, userIds, (timedOut) => {
      for (const userId of userIds) {
        this.participants.get(userId)?.peer.sendJson(Op.executeTransition, { transition_id: id });
      }
      this.log.info({ transitionId: id, timedOut }, "transition executed");
    });
  }

  // --- plumbing -------------------------------------------------------------------------------------------

  /** The participant for this connection; a stale connection (replaced or gone) gets a typed error. */
  private current(peer: Peer): Participant {
    const p = this.participants.get(peer.userId);
    if (p?.peer !== peer) throw new VoiceGatewayError("wrong-state", "connection is no longer in the call");
    return p;
  }

  private serially(operation: () => Promise<void>): Promise<void> {
    const run = this.queue.then(operation);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function transitionIdOf(d: unknown): number {
  const id = (d as { transition_id?: unknown } | null)?.transition_id;
  if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id > 0xffff) {
    throw new VoiceGatewayError("malformed", "transition_id must be a uint16");
  }
  return id;
}
