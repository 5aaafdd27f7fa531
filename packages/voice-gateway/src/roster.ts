/** A member's leaf as the gateway knows it from public handshake messages. */
export interface Leaf {
  readonly userId: string;
  readonly signatureKey: Uint8Array;
}

/**
 * The group's public membership (protocol.md "Delivery Service"): leaf index → user id and signature key.
 * The gateway holds no group secrets; it rebuilds this from the commits it accepts.
 */
export class Roster {
  constructor(readonly leaves: ReadonlyMap<number, Leaf> = new Map()) {}

  get size(): number {
    return this.leaves.size;
  }

  leafOf(userId: string): number | undefined {
    for (const [index, leaf] of this.leaves) if (leaf.userId === userId) return index;
    return undefined;
  }

  has(userId: string): boolean {
    return this.leafOf(userId) !== undefined;
  }

  userIds(): string[] {
    return [...this.leaves.values()].map((l) => l.userId);
  }

  /**
   * The roster after a commit (RFC 9420 §12.3): removals blank their leaves, then each add, in order, takes the
   * leftmost blank leaf or extends the tree. Truncation never moves a leaf, so "leftmost blank" is the smallest
   * index not in use.
   */
  apply(removed: readonly number[], added: readonly Leaf[]): Roster {
    const next = new Map(this.leaves);
    for (const index of removed) next.delete(index);
    for (const leaf of added) {
      let index = 0;
      while (next.has(index)) index++;
      next.set(index, leaf);
    }
    return new Roster(new Map([...next].sort((a, b) => a[0] - b[0])));
  }
}
