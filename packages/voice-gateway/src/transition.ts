interface PendingTransition {
  readonly waiting: Set<string>;
  readonly timer: NodeJS.Timeout;
  readonly execute: (timedOut: boolean) => void;
}

/**
 * Transitions (protocol.md "Protocol Version Changes", "Commit Handling"): after a commit, Welcome or version
 * change the gateway waits for op 23 from every member involved, or a timeout, then announces op 22 so that
 * senders switch keys only once receivers can decrypt. Ids are uint16; 0 means "execute at once" and is never
 * allocated here.
 */
export class Transitions {
  private nextId = 1;
  private readonly pending = new Map<number, PendingTransition>();

  constructor(private readonly timeoutMs: number) {}

  allocateId(): number {
    const id = this.nextId;
    this.nextId = id === 0xffff ? 1 : id + 1;
    return id;
  }

  /** Wait for `participants`' op 23, then call `execute` once (at once if there is nobody to wait for). */
  start(id: number, participants: Iterable<string>, execute: (timedOut: boolean) => void): void {
    this.cancel(id);
    const waiting = new Set(participants);
    if (waiting.size === 0) {
      execute(false);
      return;
    }
    const timer = setTimeout(() => this.finish(id, true), this.timeoutMs);
    timer.unref();
    this.pending.set(id, { waiting, timer, execute });
  }

  /** op 23. Returns false for a transition the gateway is not waiting on (unknown, finished, or not theirs). */
  ready(userId: string, id: number): boolean {
    const entry = this.pending.get(id);
    if (!entry?.waiting.delete(userId)) return false;
    if (entry.waiting.size === 0) this.finish(id, false);
    return true;
  }

  /** A participant left: stop waiting for it everywhere. */
  leave(userId: string): void {
    for (const [id, entry] of [...this.pending]) {
      if (entry.waiting.delete(userId) && entry.waiting.size === 0) this.finish(id, false);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  cancelAll(): void {
    for (const id of [...this.pending.keys()]) this.cancel(id);
  }

  private cancel(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(id);
  }

  private finish(id: number, timedOut: boolean): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.cancel(id);
    entry.execute(timedOut);
  }
}
