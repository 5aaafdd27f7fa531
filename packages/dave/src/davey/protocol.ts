import type { SessionStatus } from "./enums.js";
import type { WithTransfer } from "./syncWorker.js";

/*
 * What the calling thread and the MLS worker exchange. Every operation answers with the session's state, so the
 * getters read a local copy and never cross threads; a refused operation answers with davey's error message.
 */

export interface InitArgs {
  readonly protocolVersion: number;
  /** Canonical decimal u64s. */
  readonly userId: string;
  readonly channelId: string;
  /** davey's SigningKeyPair (raw P-256 private scalar, uncompressed public point); null makes a new one. */
  readonly keyPair: { readonly private: Uint8Array; readonly public: Uint8Array } | null;
}

export interface HostState {
  readonly status: SessionStatus;
  /** davey's `ready`: set by the first commit or Welcome, cleared by reinit (not by reset). */
  readonly ready: boolean;
  readonly epoch: bigint | null;
  readonly ownLeafIndex: number | null;
  readonly epochAuthenticator: Uint8Array | null;
  /** [user id, signature key] in leaf order; empty without a group. */
  readonly members: readonly (readonly [string, Uint8Array])[];
  /** This member's signature public key (for pairwise fingerprints). */
  readonly signatureKey: Uint8Array;
}

/** One member's 16-byte media base secret for the new epoch (MLS-Exporter "Discord Secure Frames v0"). */
export interface SenderKey {
  readonly userId: string;
  readonly baseSecret: Uint8Array;
}

export type HostReply<T> = { readonly state: HostState } & (
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string }
);

export interface ProposalsOutput {
  readonly commit?: Uint8Array;
  readonly welcome?: Uint8Array;
}

/** The worker's operations; `id` names one session among those the worker hosts. */
export interface HostApi {
  create(init: InitArgs): Promise<{ readonly id: number; readonly state: HostState }>;
  reinit(id: number, init: InitArgs): Promise<HostReply<null>>;
  reset(id: number): Promise<HostReply<null>>;
  setExternalSender(id: number, data: Uint8Array): Promise<HostReply<null>>;
  createKeyPackage(id: number): Promise<HostReply<Uint8Array>>;
  processProposals(
    id: number,
    operation: number,
    proposals: Uint8Array,
    recognizedUserIds: string[] | null,
  ): Promise<HostReply<ProposalsOutput>>;
  processCommit(id: number, commit: Uint8Array): Promise<WithTransfer<HostReply<SenderKey[]>>>;
  processWelcome(id: number, welcome: Uint8Array): Promise<WithTransfer<HostReply<SenderKey[]>>>;
  dispose(id: number): Promise<void>;
}
