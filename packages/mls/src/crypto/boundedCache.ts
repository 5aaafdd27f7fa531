/**
 * A bounded least-recently-used map from key bytes to imported key objects. Importing is the expensive part
 * of a node:crypto operation (an EC import even computes the public point), and MLS reuses the same keys many
 * times per epoch, so imports are cached. Entries are identified by their bytes plus an algorithm tag.
 */
export class BoundedCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly capacity = 1024) {}

  get(tag: string, bytes: Uint8Array, make: () => T): T {
    const id = `${tag}:${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")}`;
    const hit = this.entries.get(id);
    if (hit !== undefined) {
      // Re-insert so that Map order is recency order.
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit;
    }
    const value = make();
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(id, value);
    return value;
  }
}
