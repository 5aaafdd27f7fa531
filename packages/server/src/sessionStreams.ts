/** A stream's session: the stream ends when the session does. */
export interface StreamSession {
  readonly tokenHash: string;
  readonly deviceId: string;
  readonly accountId: string;
  readonly expiresAt: number;
}

/** What ends streams: a session (by token hash), a device, or an account's sessions but one. */
export type StreamEnd =
  | { readonly kind: "token" | "device"; readonly id: string }
  | { readonly kind: "account"; readonly id: string; readonly keep: string };

interface Closable {
  close(): void;
}

/** setTimeout's longest delay; a token may live longer (30 days by default), so long waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The open event streams by session, device and account, so that a logout, a device revocation or a password
 * change (which ends the account's other sessions) ends the streams those sessions opened; each stream also
 * ends when its token expires. Instances sharing a database relay each end to the others (`relayTo`), which
 * `apply` it to their own streams.
 */
export class SessionStreams {
  private readonly index = new Map<string, Set<Closable>>();
  private readonly timers = new Map<Closable, NodeJS.Timeout>();
  private readonly sessions = new Map<Closable, StreamSession>();
  private relay: (end: StreamEnd) => void = () => {};

  constructor(private readonly now: () => number) {}

  /** Track an open stream; call the returned function once it has closed. */
  add(stream: Closable, session: StreamSession): () => void {
    this.sessions.set(stream, session);
    for (const key of keys(session)) {
      const set = this.index.get(key);
      if (set) set.add(stream);
      else this.index.set(key, new Set([stream]));
    }
    this.expireAt(stream, session.expiresAt);
    return () => this.remove(stream);
  }

  /** Tell `relay` of every end from now on (the other instances apply it). */
  relayTo(relay: (end: StreamEnd) => void): void {
    this.relay = relay;
  }

  endSession(tokenHash: string): void {
    this.end({ kind: "token", id: tokenHash });
  }

  endDevice(deviceId: string): void {
    this.end({ kind: "device", id: deviceId });
  }

  /** End the account's streams except the ones opened with `keepTokenHash`. */
  endAccountExcept(accountId: string, keepTokenHash: string): void {
    this.end({ kind: "account", id: accountId, keep: keepTokenHash });
  }

  /** An end on this instance's streams only (one relayed from another instance). */
  apply(end: StreamEnd): void {
    const streams = [...(this.index.get(`${end.kind}:${end.id}`) ?? [])];
    for (const stream of streams) {
      if (end.kind !== "account" || this.sessions.get(stream)?.tokenHash !== end.keep) stream.close();
    }
  }

  closeEvery(): void {
    for (const stream of [...this.sessions.keys()]) stream.close();
  }

  private end(end: StreamEnd): void {
    this.apply(end);
    this.relay(end);
  }

  private expireAt(stream: Closable, expiresAt: number): void {
    const wait = expiresAt - this.now();
    const timer = setTimeout(
      () => (wait > MAX_TIMER_MS ? this.expireAt(stream, expiresAt) : stream.close()),
      Math.max(0, Math.min(wait, MAX_TIMER_MS)),
    );
    timer.unref();
    this.timers.set(stream, timer);
  }

  private remove(stream: Closable): void {
    const session = this.sessions.get(stream);
    if (!session) return;
    this.sessions.delete(stream);
    clearTimeout(this.timers.get(stream));
    this.timers.delete(stream);
    for (const key of keys(session)) {
      const set = this.index.get(key);
      if (set?.delete(stream) && set.size === 0) this.index.delete(key);
    }
  }
}

const keys = (s: StreamSession) => [`token:${s.tokenHash}`, `device:${s.deviceId}`, `account:${s.accountId}`];
