import type { ValidKeyPackage } from "./keyPackage.js";

export type ProposalBody =
  | { readonly type: "add"; readonly userId: string; readonly keyPackage: ValidKeyPackage }
  | { readonly type: "remove"; readonly leaf: number; readonly userId: string };

/** One external proposal the gateway broadcast in the current epoch. */
export interface ProposalEntry {
  readonly ref: Uint8Array;
  readonly refHex: string;
  readonly message: Uint8Array;
  readonly body: ProposalBody;
  revoked: boolean;
  /** Users it was sent to: a revoke goes to exactly them. */
  readonly recipients: Set<string>;
}

/**
 * The proposals of the current epoch, in broadcast order. A valid commit must reference exactly the unrevoked
 * ones (protocol.md "Voice Gateway Commit Validity"); a new epoch starts with an empty book.
 */
export class ProposalBook {
  private entries: ProposalEntry[] = [];

  record(entry: Omit<ProposalEntry, "refHex" | "revoked" | "recipients">): ProposalEntry {
    const full: ProposalEntry = {
      ...entry,
      refHex: Buffer.from(entry.ref).toString("hex"),
      revoked: false,
      recipients: new Set(),
    };
    this.entries.push(full);
    return full;
  }

  unrevoked(): ProposalEntry[] {
    return this.entries.filter((e) => !e.revoked);
  }

  /** The unrevoked Add for this user, if one is in flight. */
  addFor(userId: string): ProposalEntry | undefined {
    return this.entries.find((e) => !e.revoked && e.body.type === "add" && e.body.userId === userId);
  }

  removeFor(leaf: number): ProposalEntry | undefined {
    return this.entries.find((e) => !e.revoked && e.body.type === "remove" && e.body.leaf === leaf);
  }

  clear(): void {
    this.entries = [];
  }
}
