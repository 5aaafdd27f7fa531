import type { Logger } from "pino";
import { CallState, MAX_DAVE_PROTOCOL_VERSION, type Peer } from "./callState.js";
import { acceptCommit, broadcastCommit } from "./commitBroadcast.js";
import { VoiceGatewayError } from "./errors.js";
import type { ExternalSender } from "./externalSender.js";
import { validateKeyPackage } from "./keyPackage.js";
import { Op } from "./opcodes.js";
import { ProposalBatcher } from "./proposalBatch.js";
import { afterMembershipChange, invalidCommitWelcome, resetGroup } from "./recovery.js";
import { decodeMediaSend, encodeMediaReceive } from "./relay.js";
import { downgrade, upgrade } from "./versionChange.js";

export { MAX_DAVE_PROTOCOL_VERSION, type Peer };

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

/**
 * One voice channel: who is connected, the DAVE protocol version, and the MLS group's public state. Every
 * event runs on one queue, so proposals are signed for the epoch that is current when they go out and a
 * commit is judged against exactly the proposals sent before it.
 */
export class Call {
  private readonly state: CallState;
  private readonly proposals: ProposalBatcher;
  private queue: Promise<void> = Promise.resolve();
  private joining = 0;

  constructor(
    readonly channelId: string,
    private readonly externalSender: ExternalSender,
    options: CallOptions,
    private readonly log: Logger,
  ) {
    this.state = new CallState(channelId, options.transitionTimeoutMs, log);
    this.proposals = new ProposalBatcher(this.state, externalSender, options.proposalBatchMs, (operation) =>
      this.serially(operation),
    );
  }

  /** No one is connected or about to join: the server may drop this call. */
  get idle(): boolean {
    return this.state.participants.size === 0 && this.joining === 0;
  }

  snapshot(): CallSnapshot {
    const s = this.state;
    return {
      channelId: this.channelId,
      protocolVersion: s.version,
      established: s.established,
      epoch: s.epoch,
      roster: [...s.roster.leaves].map(([leaf, l]) => ({ leaf, userId: l.userId })),
      participants: [...s.participants.keys()],
      unrevokedProposals: s.book.unrevoked().length,
      pendingTransitions: s.transitions.size,
      commitsBroadcast: s.commitsBroadcast,
      commitsRejected: s.commitsRejected,
    };
  }

  /** A newcomer after identify: op 4, op 11 both ways, op 25, and a downgrade if it lacks DAVE. */
  join(peer: Peer): Promise<void> {
    this.joining++;
    return this.serially(async () => {
      this.joining--;
      const participants = this.state.participants;
      if (participants.has(peer.userId)) {
        throw new VoiceGatewayError("invalid-identify", "already in the call");
      }
      participants.set(peer.userId, {
        peer,
        keyPackage: undefined,
        signatureKey: undefined,
        inGroup: false,
      });
      const before = this.state.version;
      const after = this.state.wantedVersion();
      peer.sendJson(Op.selectProtocolAck, { dave_protocol_version: after });
      const others = [...participants.values()].filter((p) => p.peer !== peer);
      if (others.length > 0) {
        peer.sendJson(Op.clientsConnect, { user_ids: others.map((p) => p.peer.userId) });
        for (const other of others) other.peer.sendJson(Op.clientsConnect, { user_ids: [peer.userId] });
      }
      if (peer.maxVersion >= 1) peer.sendBinary(Op.externalSenderPackage, this.externalSender.package);
      if (before !== 0 && after === 0) {
        downgrade(this.state, this.proposals);
      } else if (after !== 0 && !this.state.established) {
        this.proposals.sendAddsInFlight(peer.userId);
      }
      this.log.info({ userId: peer.userId, protocolVersion: after, present: participants.size }, "joined");
    });
  }

  /** The connection closed: op 13 to the others, then revoke, remove, reset or upgrade as needed. */
  leave(peer: Peer): Promise<void> {
    return this.serially(async () => {
      const { state, proposals } = this;
      if (state.participants.get(peer.userId)?.peer !== peer) return;
      state.participants.delete(peer.userId);
      for (const p of state.participants.values())
        p.peer.sendJson(Op.clientDisconnect, { user_id: peer.userId });
      state.transitions.leave(peer.userId);
      this.log.info({ userId: peer.userId, present: state.participants.size }, "left");
      if (state.participants.size === 0) {
        resetGroup(state, proposals);
        state.version = MAX_DAVE_PROTOCOL_VERSION;
      } else if (state.version === 0 && state.wantedVersion() !== 0) {
        upgrade(state, proposals);
      } else if (state.version !== 0) {
        afterMembershipChange(state, proposals);
      }
    });
  }

  /** op 26. */
  keyPackage(peer: Peer, bytes: Uint8Array): Promise<void> {
    return this.serially(async () => {
      const { state, proposals } = this;
      const p = state.current(peer);
      if (state.version === 0)
        throw new VoiceGatewayError("wrong-state", "key package while the call is at version 0");
      const keyPackage = await validateKeyPackage(bytes, peer.userId);
      p.keyPackage = keyPackage;
      p.signatureKey = keyPackage.signatureKey;
      this.log.info({ userId: peer.userId, inGroup: state.roster.has(peer.userId) }, "key package accepted");
      // A member sending a key package has lost its group state: remove its old leaf and add it again.
      if (state.established && state.roster.has(peer.userId)) afterMembershipChange(state, proposals);
      else proposals.schedule();
    });
  }

  /** op 28: the first valid commit of the epoch wins; anything else is dropped, never broadcast. */
  commit(peer: Peer, payload: Uint8Array): Promise<void> {
    return this.serially(async () => {
      const accepted = await acceptCommit(this.state, peer, payload);
      broadcastCommit(this.state, peer, accepted);
      afterMembershipChange(this.state, this.proposals);
    });
  }

  /** op 23. */
  ready(peer: Peer, d: unknown): Promise<void> {
    return this.serially(async () => {
      this.state.current(peer);
      const id = transitionIdOf(d);
      if (!this.state.transitions.ready(peer.userId, id)) {
        this.log.debug({ userId: peer.userId, transitionId: id }, "ready for a transition not awaited");
      }
    });
  }

  /** op 31: remove the flagging member; it is added again with its next key package. */
  invalidCommitWelcome(peer: Peer, d: unknown): Promise<void> {
    return this.serially(async () => {
      const p = this.state.current(peer);
      invalidCommitWelcome(this.state, this.proposals, p, transitionIdOf(d));
    });
  }

  /** op 200: forward unchanged to everyone else in the call, tagged with the sender. Not queued: media is hot. */
  relay(peer: Peer, payload: Uint8Array): void {
    const participants = this.state.participants;
    if (participants.get(peer.userId)?.peer !== peer) return;
    const out = encodeMediaReceive(peer.userId, decodeMediaSend(payload));
    for (const p of participants.values()) if (p.peer !== peer) p.peer.sendBinary(Op.mediaReceive, out);
  }

  /** Stop timers; the server is shutting down. */
  close(): void {
    this.proposals.close();
    this.state.transitions.cancelAll();
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
