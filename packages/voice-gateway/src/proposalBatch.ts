import { writeVarint } from "@parley/mls";
import type { CallState } from "./callState.js";
import type { ExternalSender } from "./externalSender.js";
import { concatBytes } from "./framing.js";
import { Op, ProposalsOperation } from "./opcodes.js";
import type { ProposalBody, ProposalEntry } from "./proposals.js";

/**
 * The gateway as the group's external sender: op 27 appends of Add/Remove proposals for the current epoch,
 * batched, and op 27 revokes of Adds that no longer stand.
 */
export class ProposalBatcher {
  private flushTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly state: CallState,
    private readonly externalSender: ExternalSender,
    private readonly batchMs: number,
    /** The call's event queue: a flush runs in turn with every other event. */
    private readonly serially: (operation: () => Promise<void>) => Promise<void>,
  ) {}

  /** Batch proposals: wait a short window so several joins or leaves go out as one op 27. */
  schedule(): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.serially(() => this.flush()).catch((err: unknown) => {
        this.state.log.error(
          { reason: err instanceof Error ? err.message : "unknown" },
          "could not send proposals",
        );
      });
    }, this.batchMs);
    this.flushTimer.unref();
  }

  /** Drop a batch not yet sent (the group it was for is gone). */
  cancel(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  /** Stop for good; the server is shutting down. */
  close(): void {
    this.closed = true;
    this.cancel();
  }

  /** Initial group creation: a newcomer gets the adds already in flight for the other pending members. */
  sendAddsInFlight(newcomer: string): void {
    const inFlight = this.state.book
      .unrevoked()
      .filter((e) => e.body.type === "add" && e.body.userId !== newcomer);
    if (inFlight.length > 0) this.sendAppend(newcomer, inFlight);
  }

  /**
   * Bring the proposals in line with who is connected: revoke adds of members who left or replaced their key
   * package, then propose removes for leaves whose user left or lost its state and adds for pending key
   * packages, all for the current epoch.
   */
  private async flush(): Promise<void> {
    const state = this.state;
    if (state.version === 0 || this.closed) return;
    const revokes = new Map<string, Uint8Array[]>();
    for (const entry of state.book.unrevoked()) {
      if (entry.body.type !== "add") continue;
      const p = state.participants.get(entry.body.userId);
      if (p?.keyPackage && Buffer.from(p.keyPackage.ref).equals(Buffer.from(entry.body.keyPackage.ref)))
        continue;
      entry.revoked = true;
      for (const userId of entry.recipients) revokes.set(userId, [...(revokes.get(userId) ?? []), entry.ref]);
    }
    for (const [userId, refs] of revokes) this.sendRevoke(userId, refs);
    if (revokes.size > 0) state.log.info({ recipients: revokes.size }, "revoked pending adds");

    const bodies: ProposalBody[] = [];
    if (state.established) {
      for (const [leaf, { userId }] of state.roster.leaves) {
        const p = state.participants.get(userId);
        if ((!p || !state.isHealthyMember(p)) && !state.book.removeFor(leaf))
          bodies.push({ type: "remove", leaf, userId });
      }
    }
    for (const p of state.participants.values()) {
      if (p.keyPackage && !state.book.addFor(p.peer.userId)) {
        bodies.push({ type: "add", userId: p.peer.userId, keyPackage: p.keyPackage });
      }
    }
    if (bodies.length === 0) return;

    const entries: ProposalEntry[] = [];
    for (const body of bodies) {
      const signed = await this.externalSender.propose(
        state.groupId,
        state.epoch,
        body.type === "add" ? { add: body.keyPackage.bytes } : { remove: body.leaf },
      );
      entries.push(state.book.record({ ...signed, body }));
    }
    const recipients = state.established
      ? [...state.participants.values()].filter((p) => state.isHealthyMember(p))
      : [...state.participants.values()].filter((p) => p.peer.maxVersion >= 1);
    for (const p of recipients) {
      const mine = entries.filter(
        (e) => state.established || !(e.body.type === "add" && e.body.userId === p.peer.userId),
      );
      if (mine.length > 0) this.sendAppend(p.peer.userId, mine);
    }
    state.log.info(
      {
        epoch: state.epoch,
        adds: bodies.filter((b) => b.type === "add").length,
        removes: bodies.filter((b) => b.type === "remove").length,
        recipients: recipients.length,
      },
      "proposals sent",
    );
  }

  /** op 27 append: `0 ‖ vector<V> of MLSMessage proposals`. */
  private sendAppend(userId: string, entries: readonly ProposalEntry[]): void {
    const p = this.state.participants.get(userId);
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
    const p = this.state.participants.get(userId);
    if (!p) return;
    const body = concatBytes(...refs.flatMap((r) => [writeVarint(r.length), r]));
    p.peer.sendBinary(
      Op.proposals,
      concatBytes(Uint8Array.of(ProposalsOperation.revoke), writeVarint(body.length), body),
    );
  }
}
