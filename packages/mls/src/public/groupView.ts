import { checkCommit } from "./checkCommit.js";
import { checkNextGroupInfo } from "./nextGroupInfo.js";
import { type CommitChange, guarded, type PublicMember } from "./types.js";
import { membersOfTree, readGroupInfo, type ViewState } from "./viewState.js";

/**
 * A group as its delivery service can know it (RFC 9420 §12.4.3): the public state of one epoch, read from a
 * GroupInfo that carries the ratchet tree. It verifies PublicMessage commits against that state and advances
 * only to a next GroupInfo that follows from an accepted commit. It holds no secrets and decrypts nothing.
 */
export class PublicGroupView {
  readonly #state: ViewState;

  private constructor(state: ViewState) {
    this.#state = state;
  }

  /** Read a GroupInfo MLSMessage (signature, tree hash and ratchet_tree checked). Throws CommitCheckError. */
  static async fromGroupInfo(bytes: Uint8Array): Promise<PublicGroupView> {
    return new PublicGroupView(await guarded("GroupInfo", () => readGroupInfo(bytes)));
  }

  get groupId(): Uint8Array {
    return this.#state.context.groupId;
  }

  get epoch(): bigint {
    return this.#state.context.epoch;
  }

  get cipherSuite(): number {
    return this.#state.suite.id;
  }

  members(): PublicMember[] {
    return membersOfTree(this.#state.tree);
  }

  /** Verify a PublicMessage commit for this epoch and derive what it does. Throws CommitCheckError. */
  checkCommit(bytes: Uint8Array): Promise<CommitChange> {
    return guarded("commit", () => checkCommit(this.#state, bytes));
  }

  /** The view of the next epoch, if `groupInfo` follows from this view and the checked commit. */
  async checkNextGroupInfo(groupInfo: Uint8Array, change: CommitChange): Promise<PublicGroupView> {
    const next = await guarded("GroupInfo", () => checkNextGroupInfo(this.#state, groupInfo, change));
    return new PublicGroupView(next);
  }
}
