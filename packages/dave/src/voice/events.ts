import type { TrustRefusalReason } from "../errors.js";

/** A transition this member executed: its sending ratchet (or passthrough) now follows `protocolVersion`. */
export interface VoiceTransition {
  readonly transitionId: number;
  readonly protocolVersion: number;
}

/** Something from the gateway could not be used: which opcode or MLS operation, and why (never key material). */
export interface VoiceFailure {
  readonly source: string;
  readonly reason: string;
  /** Set when the gateway's message was refused on trust grounds (a Welcome for another group, a changed credential). */
  readonly refusal?: TrustRefusalReason;
}

/** A transition to protocol version 0 that a session with `requireE2EE` refused: it stays end-to-end encrypted. */
export interface VoiceDowngradeRefusal {
  /** The opcode that asked for version 0: 4 (session description), 21 (prepare_transition), 24 (prepare_epoch). */
  readonly opcode: number;
  /** op 21's transition id (never acknowledged with op 23). */
  readonly transitionId?: number;
}

/** The events of a `VoiceSession`, for Node's typed EventEmitter. */
export interface VoiceSessionEvents {
  /** Media can flow: E2EE with this member's own sender key, or protocol version 0 (passthrough). */
  ready: [];
  transition: [VoiceTransition];
  failure: [VoiceFailure];
  /** The user ids in the established MLS group (self included), after each commit, Welcome or reset. */
  roster: [readonly string[]];
  /** With `requireE2EE`: the gateway asked for protocol version 0 and was refused. */
  downgradeRefused: [VoiceDowngradeRefusal];
}
