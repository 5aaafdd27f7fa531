import type { ServerConfig } from "../config.js";
import { type Db, one } from "../storage/db.js";

/** A limiter whose state for one key can be read out and put back (JSON-able; undefined: nothing kept). */
export interface Restorable {
  stateOf(key: string): unknown;
  restore(key: string, state: unknown): void;
}

/** One key of one limiter that a decision reads or changes; `name` tells the limiters apart in the table. */
export type Touched = readonly [name: string, limiter: Restorable, key: string];

/** Where limiter decisions run: `decide` (synchronous) sees and leaves the state of the keys it touches. */
export interface LimiterStore {
  atomically<T>(touched: readonly Touched[], decide: () => T): Promise<T>;
}

/** One process: the limiters' own memory is the state. */
export const localLimits: LimiterStore = { atomically: async (_touched, decide) => decide() };

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Several instances on one PostgreSQL database: a decision loads the touched keys' rows into the limiters,
 * decides, and writes the rows back, in one transaction. Write transactions take the schema's lock (see
 * postgresDb.ts), so decisions on any instance are serialized: a limit holds across instances, not per instance.
 * A refusal is returned out of the transaction rather than thrown in it, so it does not roll back the
 * group-committed batch it shares.
 */
export function sharedLimits(db: Db, now: () => number): LimiterStore {
  return {
    async atomically<T>(touched: readonly Touched[], decide: () => T): Promise<T> {
      const outcome = await db.transaction(async (tx): Promise<Outcome<T>> => {
        for (const [name, limiter, key] of touched) {
          const row = await one(tx, "SELECT state FROM limiter_state WHERE name = ? AND key = ?", [
            name,
            key,
          ]);
          limiter.restore(key, row ? JSON.parse(String(row.state)) : undefined);
        }
        let result: Outcome<T>;
        try {
          result = { ok: true, value: decide() };
        } catch (error) {
          result = { ok: false, error };
        }
        for (const [name, limiter, key] of touched) await save(tx, name, key, limiter.stateOf(key), now());
        return result;
      });
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    },
  };
}

async function save(tx: Db, name: string, key: string, state: unknown, at: number): Promise<void> {
  if (state === undefined) {
    await tx.run("DELETE FROM limiter_state WHERE name = ? AND key = ?", [name, key]);
    return;
  }
  await tx.run(
    `INSERT INTO limiter_state (name, key, state, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (name, key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    [name, key, JSON.stringify(state), at],
  );
}

/** The store for a database: shared rows on PostgreSQL (instances may share it), memory on SQLite. */
export function limiterStore(db: Db | undefined, now: () => number): LimiterStore {
  return db?.dialect === "postgres" ? sharedLimits(db, now) : localLimits;
}

/**
 * Rows no decision needs any more: a bucket refills within its window (an hour at most) and failures are
 * forgotten after `loginFailureMemoryMs` or the longest back-off; an older row reads as no row. Returns how many.
 */
export async function pruneLimiterState(
  db: Db,
  limits: ServerConfig["limits"],
  now: number,
): Promise<number> {
  const keep = Math.max(3600_000, limits.loginFailureMemoryMs, limits.loginBackoffMaxMs);
  return (await db.run("DELETE FROM limiter_state WHERE updated_at < ?", [now - keep])).changes;
}
