import type { TrustRefusalReason } from "../errors.js";
import type { Roster } from "./roster.js";

/** What processing a commit did (libdave's CommitResult). */
export type CommitResult =
  /** A hard failure: the commit was invalid and the session should recover (op 31, reset, new key package). */
  | { readonly kind: "failed"; readonly reason: string; readonly refusal?: TrustRefusalReason }
  /** A soft rejection: not for this member now (another epoch, or a group it has not joined yet). */
  | { readonly kind: "ignored"; readonly reason: string }
  /** Applied: the roster changes (user id → signature key; an empty key means removed). */
  | { readonly kind: "roster"; readonly roster: Roster; readonly epoch: bigint };

/** Joined by Welcome: every member of the group with its signature key. */
export interface WelcomeResult {
  readonly roster: Roster;
  readonly epoch: bigint;
}

/** A commit this session produced from pending proposals, to send as op 28. */
export interface CommitWelcome {
  /** MLSMessage (PublicMessage) carrying the Commit. */
  readonly commit: Uint8Array;
  /** Bare Welcome, present when the commit adds members. */
  readonly welcome?: Uint8Array;
}

/**
 * The failure callback's arguments: which operation failed and why (never any key material), and for a refusal
 * on trust grounds (a Welcome for another group, a changed credential) its TrustRefusal reason.
 */
export type MlsFailureCallback = (source: string, reason: string, refusal?: TrustRefusalReason) => void;

/** The group a session is in right now: the local one-member group until a commit or Welcome establishes the call's. */
export interface GroupView {
  readonly epoch: bigint;
  readonly ownLeafIndex: number;
  readonly epochAuthenticator: Uint8Array;
  /** False for the local group made after op 25. */
  readonly established: boolean;
  /** Members in leaf order. */
  readonly roster: Roster;
}
