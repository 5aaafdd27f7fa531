import { createHash } from "node:crypto";

/**
 * A bounded least-recently-used map from key bytes to imported key objects. Importing is the expensive part
 * of a node:crypto operation (an EC import even computes the public point), and MLS reuses the same keys many
 * times per epoch, so imports are cached. Entries are found by a digest of the key bytes (so no copy of a
 * private key lives on in a string) and then by an algorithm tag; `evict` drops every entry for some bytes.
 */
export class BoundedCache<T> {
  private readonly entries = new Map<string, Map<string, T>>();

  constructor(private readonly capacity = 1024) {}

  get(tag: string, bytes: Uint8Array, make: () => T): T {
    const id = fingerprint(bytes);
    const byTag = this.entries.get(id);
    const hit = byTag?.get(tag);
    if (byTag !== undefined) {
      // Re-insert so that Map order is recency order.
      this.entries.delete(id);
      this.entries.set(id, byTag);
      if (hit !== undefined) return hit;
    }
    const value = make();
    if (byTag !== undefined) {
      byTag.set(tag, value);
      return value;
    }
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(id, new Map([[tag, value]]));
    return value;
  }

  /** Forget every object imported from `bytes`, whatever its algorithm. */
  evict(bytes: Uint8Array): void {
    this.entries.delete(fingerprint(bytes));
  }

  /** @internal for tests: whether any object imported from `bytes` is held. */
  holds(bytes: Uint8Array): boolean {
    return this.entries.has(fingerprint(bytes));
  }
}

function fingerprint(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("base64");
}
