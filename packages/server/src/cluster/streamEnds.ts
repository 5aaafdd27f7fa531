import type { SessionStreams, StreamEnd } from "../sessionStreams.js";
import type { Db } from "../storage/db.js";
import { ENDS_CHANNEL, type FeedLog } from "./eventFeed.js";

const KINDS = new Set(["token", "device", "account"]);

/** A relayed end, or undefined for anything else (a notification is never trusted to be well formed). */
export function parseEnd(payload: string): StreamEnd | undefined {
  try {
    const e = JSON.parse(payload) as Record<string, unknown>;
    if (!KINDS.has(e.kind as string) || typeof e.id !== "string") return undefined;
    if (e.kind === "account")
      return typeof e.keep === "string" ? { kind: "account", id: e.id, keep: e.keep } : undefined;
    return { kind: e.kind as "token" | "device", id: e.id };
  } catch {
    return undefined;
  }
}

/**
 * Relay this instance's stream ends (logout, device revocation, password change) to every instance on the
 * database, so that a session ended on one instance has no stream left on another. The payload names the
 * session by its token's hash, the device or the account: identifiers, never a token.
 */
export function relayEnds(db: Db, streams: SessionStreams, log: FeedLog): void {
  streams.relayTo((end) => {
    db.all(`SELECT pg_notify(left('${ENDS_CHANNEL}' || current_schema(), 63), ?) AS sent`, [
      JSON.stringify(end),
    ]).catch((err: unknown) => log.warn({ err: String(err) }, "stream end relay failed"));
  });
}
