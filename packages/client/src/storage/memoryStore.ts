import type {
  ClientStore,
  ConversationRecord,
  DeviceRecord,
  HistoryRecord,
  KeyPackageRecord,
  OutboxRecord,
  StoreBatch,
} from "./store.js";

/** An in-memory ClientStore for tests and ephemeral clients. Records are copied in and out, as a database would. */
export class MemoryStore implements ClientStore {
  private device: DeviceRecord | undefined;
  private readonly conversations = new Map<string, ConversationRecord>();
  private readonly keyPackages = new Map<string, KeyPackageRecord>();
  private readonly outbox = new Map<string, OutboxRecord>();
  private readonly history = new Map<string, Map<number, HistoryRecord>>();
  private readonly meta = new Map<string, string>();
  private closed = false;

  async loadDevice() {
    return this.device && structuredClone(this.device);
  }
  async loadConversations() {
    return [...this.conversations.values()].map((c) => structuredClone(c));
  }
  async loadKeyPackage(ref: string) {
    const kp = this.keyPackages.get(ref);
    return kp && structuredClone(kp);
  }
  async loadOutbox() {
    return [...this.outbox.values()].sort((a, b) => a.createdAt - b.createdAt).map((o) => structuredClone(o));
  }
  async loadHistory(groupId: string, options: { limit?: number; before?: number } = {}) {
    const before = options.before ?? Number.POSITIVE_INFINITY;
    const lines = [...(this.history.get(groupId)?.values() ?? [])]
      .filter((h) => h.seq < before)
      .sort((a, b) => a.seq - b.seq);
    return lines.slice(-(options.limit ?? 100)).map((h) => ({ ...h }));
  }
  async loadMeta(key: string) {
    return this.meta.get(key);
  }

  async write(batch: StoreBatch): Promise<void> {
    if (this.closed) throw new Error("store is closed");
    const b = structuredClone(batch);
    if (b.device !== undefined) this.device = b.device ?? undefined;
    for (const c of b.conversations ?? []) this.conversations.set(c.groupId, c);
    for (const k of b.keyPackages ?? []) this.keyPackages.set(k.ref, k);
    for (const ref of b.deleteKeyPackages ?? []) this.keyPackages.delete(ref);
    for (const h of b.history ?? []) {
      let lines = this.history.get(h.groupId);
      if (!lines) {
        lines = new Map();
        this.history.set(h.groupId, lines);
      }
      lines.set(h.seq, h);
    }
    for (const o of b.outbox ?? []) this.outbox.set(o.id, o);
    for (const id of b.deleteOutbox ?? []) this.outbox.delete(id);
    for (const [k, v] of Object.entries(b.meta ?? {})) this.meta.set(k, v);
  }

  async close() {
    this.closed = true;
  }
}
