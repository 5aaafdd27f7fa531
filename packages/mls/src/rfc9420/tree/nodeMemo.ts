import { directPath } from "./math.js";

/**
 * Per-node values (tree hashes) of one tree, keyed by what they were computed under (the cipher suite). A
 * derived tree copies the memo and forgets only the changed nodes and their ancestors, so a one-leaf change
 * costs O(log n) recomputations: a node's value depends on its subtree alone.
 */
export class NodeMemo {
  private constructor(private readonly values: Map<number, (Uint8Array | undefined)[]>) {}

  static empty(): NodeMemo {
    return new NodeMemo(new Map());
  }

  get(key: number, node: number): Uint8Array | undefined {
    return this.values.get(key)?.[node];
  }

  set(key: number, node: number, value: Uint8Array): void {
    const slots = this.values.get(key) ?? [];
    slots[node] = value;
    this.values.set(key, slots);
  }

  /**
   * The memo of a tree of `leaves` leaves whose nodes `changed` differ from this one's. Leaf counts are
   * powers of two, so doubling or halving keeps every remaining subtree whole: only `changed` goes stale.
   */
  derive(leaves: number, changed: readonly number[]): NodeMemo {
    const width = 2 * leaves - 1;
    const values = new Map<number, (Uint8Array | undefined)[]>();
    for (const [key, slots] of this.values) {
      const copy = slots.slice(0, width);
      for (const node of changed) {
        if (node >= width) continue;
        copy[node] = undefined;
        for (const up of directPath(node, leaves)) copy[up] = undefined;
      }
      values.set(key, copy);
    }
    return new NodeMemo(values);
  }
}
