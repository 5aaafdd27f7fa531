import type { MemberCredential } from "../credential.js";
import { type MlsErrorCode, ParleyMlsError } from "../errors.js";

/** A leaf of the group's public ratchet tree, as a delivery service sees it. */
export interface PublicMember {
  readonly leafIndex: number;
  readonly credential: MemberCredential;
  readonly signatureKey: Uint8Array;
}

/** A leaf that a commit brings in (an Add's key package, or an UpdatePath's new leaf). */
export interface IncomingLeaf {
  readonly credential: MemberCredential;
  readonly signatureKey: Uint8Array;
}

/** What a verified commit does to the membership (RFC 9420 §12.4), derived from the commit alone. */
export interface CommitChange {
  /** True for an external commit (RFC 9420 §12.4.3.2): the committer joins with it. */
  readonly external: boolean;
  /** The sending leaf; undefined for an external commit (it has no leaf yet). */
  readonly committer?: PublicMember;
  readonly added: readonly IncomingLeaf[];
  readonly removed: readonly PublicMember[];
  /** The committer's new leaf when the commit carries an UpdatePath (always, for an external commit). */
  readonly pathLeaf?: IncomingLeaf;
}

/** Why a delivery service refuses a commit or a GroupInfo. */
export type CommitRefusal =
  | "malformed" // the bytes do not decode, or a structure in them is not one the checks can use
  | "not_public" // a PrivateMessage (or not a commit): nothing can be checked
  | "wrong_group"
  | "wrong_epoch"
  | "unknown_sender" // the sender is no current member leaf (or not a member / new-member committer)
  | "bad_signature"
  | "bad_proposal" // a proposal the rules forbid (a Remove of an empty leaf, duplicates, references...)
  | "bad_path" // the UpdatePath's leaf node is not validly signed or placed
  | "bad_group_info"; // the GroupInfo does not follow from the view and the commit

const CODES: Record<CommitRefusal, MlsErrorCode> = {
  malformed: "malformed",
  not_public: "unsupported",
  wrong_group: "wrong-group",
  wrong_epoch: "wrong-epoch",
  unknown_sender: "invalid",
  bad_signature: "invalid",
  bad_proposal: "invalid",
  bad_path: "invalid",
  bad_group_info: "invalid",
};

/** A refused commit or GroupInfo; `reason` says which rule failed. */
export class CommitCheckError extends ParleyMlsError {
  constructor(
    readonly reason: CommitRefusal,
    message: string,
  ) {
    super(CODES[reason], message);
  }
}

/**
 * Run a check on untrusted bytes: typed errors pass through, anything else the engine throws on structures it
 * does not expect (a malformed tree, a key of the wrong size) is reported as `malformed`.
 */
export async function guarded<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ParleyMlsError) throw err;
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : "unknown failure";
    throw new CommitCheckError("malformed", `${what}: ${detail}`);
  }
}
