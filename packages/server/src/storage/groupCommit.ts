import type { Db } from "./db.js";

/** One open database transaction that several units of work share. */
export interface SharedTransaction {
  /** Runs the work's statements (on the transaction's connection). */
  readonly tx: Db;
  /** Runs a statement without parameters or results (SAVEPOINT, RELEASE, ROLLBACK TO). */
  exec(sql: string): Promise<void>;
  /** COMMIT (`true`) or ROLLBACK (`false`), then give the connection back. */
  finish(commit: boolean): Promise<void>;
}

interface Pending {
  work: (tx: Db) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

/** Works sharing one COMMIT at most; bounds how long the first of them waits for its acknowledgement. */
const MAX_BATCH = 512;

/**
 * Group commit: transactions requested while one is being written join the next one, so a burst of N posts
 * costs one durable COMMIT (one fsync) instead of N. Each work runs inside its own SAVEPOINT, so a work that
 * fails (an epoch conflict, a constraint) undoes only itself; every work is answered only after the COMMIT
 * that made it durable returns, and all of them fail if that COMMIT does.
 *
 * Batches run one at a time, which also keeps autoincrement ids (the event log's) committed in id order: a
 * reader resuming "after id N" can never miss a row that commits later with a smaller id.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private draining = false;

  constructor(private readonly begin: () => Promise<SharedTransaction>) {}

  run<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        // Let the requests already read from the sockets queue their work before the batch starts.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const answered: { pending: Pending; ok: boolean; value: unknown }[] = [];
      let shared: SharedTransaction | undefined;
      try {
        shared = await this.begin();
        // Works queued while this batch runs join it, up to the bound.
        while (this.queue.length > 0 && answered.length < MAX_BATCH) {
          const pending = this.queue.shift() as Pending;
          await shared.exec("SAVEPOINT work");
          try {
            const value = await pending.work(shared.tx);
            await shared.exec("RELEASE SAVEPOINT work");
            answered.push({ pending, ok: true, value });
          } catch (err) {
            await shared.exec("ROLLBACK TO SAVEPOINT work");
            await shared.exec("RELEASE SAVEPOINT work");
            answered.push({ pending, ok: false, value: err });
          }
        }
        await shared.finish(true);
      } catch (err) {
        // BEGIN, a savepoint statement or the COMMIT failed: nothing of this batch is durable.
        await shared?.finish(false).catch(() => undefined);
        for (const { pending } of answered) pending.reject(err);
        if (!shared) for (const pending of this.queue.splice(0)) pending.reject(err);
        continue;
      }
      for (const { pending, ok, value } of answered) (ok ? pending.resolve : pending.reject)(value);
    }
    this.draining = false;
  }
}
