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

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly value: unknown };

/**
 * Group commit: transactions requested while one is being written join the next one, so a burst of N posts
 * costs one durable COMMIT (one fsync) instead of N. Every work is answered only after the COMMIT that made it
 * durable returns, and all of them fail if that COMMIT does.
 *
 * A batch first runs optimistically, its works back to back. If one fails (an epoch conflict, a constraint),
 * the batch is rolled back and run again with each work in its own SAVEPOINT, so the failure undoes only
 * itself: failures cost a second pass, successes cost no savepoint round trips.
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
      const batch: Pending[] = [];
      try {
        const outcomes = (await this.attempt(batch, false)) ?? (await this.attempt(batch, true));
        for (const [i, outcome] of (outcomes as Outcome[]).entries()) {
          const pending = batch[i] as Pending;
          (outcome.ok ? pending.resolve : pending.reject)(outcome.value);
        }
      } catch (err) {
        // BEGIN, a savepoint statement or the COMMIT failed: nothing of this batch is durable.
        for (const pending of batch.length > 0 ? batch : this.queue.splice(0)) pending.reject(err);
      }
    }
    this.draining = false;
  }

  /**
   * Run the works of `batch`, then more from the queue (joining it, up to the bound), in one transaction.
   * Optimistic (`isolated` false): undefined, with everything rolled back, as soon as a work fails.
   */
  private async attempt(batch: Pending[], isolated: boolean): Promise<Outcome[] | undefined> {
    const shared = await this.begin();
    try {
      const outcomes: Outcome[] = [];
      for (let i = 0; i < batch.length || (this.queue.length > 0 && batch.length < MAX_BATCH); i++) {
        if (i === batch.length) batch.push(this.queue.shift() as Pending);
        const { work } = batch[i] as Pending;
        if (!isolated) {
          try {
            outcomes.push({ ok: true, value: await work(shared.tx) });
          } catch {
            await shared.finish(false);
            return undefined;
          }
          continue;
        }
        await shared.exec("SAVEPOINT work");
        try {
          outcomes.push({ ok: true, value: await work(shared.tx) });
          await shared.exec("RELEASE SAVEPOINT work");
        } catch (err) {
          await shared.exec("ROLLBACK TO SAVEPOINT work");
          await shared.exec("RELEASE SAVEPOINT work");
          outcomes.push({ ok: false, value: err });
        }
      }
      await shared.finish(true);
      return outcomes;
    } catch (err) {
      await shared.finish(false).catch(() => undefined);
      throw err;
    }
  }
}
