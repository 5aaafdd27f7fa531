import type { Db } from "./db.js";

export interface Pruned {
  readonly messages: number;
  readonly events: number;
  readonly welcomes: number;
  readonly welcomeBlobs: number;
  readonly sessions: number;
  readonly keyPackages: number;
}

/**
 * Delete what retention no longer keeps: messages, events and Welcomes created before `before`, sessions that
 * expired by `now`, and key packages already handed out. Sequence numbers are never reused: a client that
 * asks for what was pruned gets what remains after it.
 */
export async function prune(db: Db, before: number, now: number): Promise<Pruned> {
  return db.transaction(async (tx) => ({
    messages: (await tx.run("DELETE FROM messages WHERE created_at < ?", [before])).changes,
    events: (await tx.run("DELETE FROM event_log WHERE created_at < ?", [before])).changes,
    welcomes: (await tx.run("DELETE FROM inbox WHERE created_at < ?", [before])).changes,
    // A Welcome and its inbox rows share their creation time, so none of its rows is left.
    welcomeBlobs: (await tx.run("DELETE FROM welcomes WHERE created_at < ?", [before])).changes,
    sessions: (await tx.run("DELETE FROM sessions WHERE expires_at <= ?", [now])).changes,
    keyPackages: (await tx.run("DELETE FROM key_packages WHERE claimed = 1")).changes,
  }));
}
