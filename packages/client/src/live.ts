import { isClientError, type ParleyClientError } from "./errors.js";
import type { ServerEvent, Transport } from "./transport/transport.js";

export const LAST_EVENT_ID = "lastEventId";

export interface LiveHandlers {
  loadLastEventId(): Promise<number | undefined>;
  saveLastEventId(id: number): Promise<void>;
  /** A group's log has new entries (or its membership changed). */
  groupChanged(groupId: string): void;
  welcome(): void;
  /** Events were missed (lagged, or the stream dropped): fetch everything from the stored cursors. */
  resync(): Promise<void>;
  error(error: ParleyClientError): void;
}

/**
 * Live delivery over the server's SSE stream. Events only say *that* something happened; the data is always
 * fetched from the log from the stored cursor, so a missed, repeated or reordered event cannot lose or duplicate
 * a message. After a drop or a `lagged` event the client resyncs by fetching, then reconnects.
 */
export class LiveDelivery {
  private readonly controller = new AbortController();
  /** The current connection's own abort, so one stream can be replaced without stopping delivery. */
  private connection: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private lastEventId: number | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  /** Resolves each time a stream is open (tests and the CLI wait for it). */
  private connectedWaiters: (() => void)[] = [];
  connected = false;

  constructor(
    private readonly transport: Transport,
    private readonly handlers: LiveHandlers,
    private readonly backoff = { initialMs: 250, maxMs: 10_000 },
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    clearTimeout(this.saveTimer);
    await this.loop;
    await this.flushLastEventId();
  }

  whenConnected(): Promise<void> {
    return this.connected ? Promise.resolve() : new Promise((resolve) => this.connectedWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    this.lastEventId = await this.handlers.loadLastEventId().catch(() => undefined);
    let delay = this.backoff.initialMs;
    let first = true;
    while (!signal.aborted) {
      try {
        if (!first) await this.handlers.resync();
        first = false;
        this.connection = new AbortController();
        const stream = AbortSignal.any([signal, this.connection.signal]);
        for await (const event of this.transport.events(this.lastEventId, stream)) {
          if (!this.connected) {
            this.connected = true;
            for (const w of this.connectedWaiters.splice(0)) w();
          }
          delay = this.backoff.initialMs;
          this.handle(event);
          if (event.type === "lagged") break;
        }
      } catch (err) {
        if (signal.aborted) break;
        if (isClientError(err) && err.code !== "network") this.handlers.error(err);
      }
      this.connected = false;
      if (signal.aborted) break;
      if (this.connection?.signal.aborted) continue; // replaced on purpose: no back-off
      await sleep(delay, signal);
      delay = Math.min(delay * 2, this.backoff.maxMs);
    }
  }

  private handle(event: ServerEvent): void {
    if (event.type === "open") return;
    if (event.type === "lagged") {
      // Everything up to the server's last written event is in the logs the resync fetches.
      if (event.id !== undefined) this.lastEventId = event.id;
      this.scheduleSave();
      return;
    }
    if (event.id !== undefined) {
      this.lastEventId = event.id;
      this.scheduleSave();
    }
    if (event.type === "welcome") this.handlers.welcome();
    else if (event.groupId) this.handlers.groupChanged(event.groupId);
  }

  /** The event id is only a hint (data come from the log), so it is saved lazily, not on every event. */
  private scheduleSave(): void {
    this.saveTimer ??= setTimeout(() => {
      this.saveTimer = undefined;
      void this.flushLastEventId();
    }, 500);
  }

  private async flushLastEventId(): Promise<void> {
    if (this.lastEventId === undefined) return;
    await this.handlers.saveLastEventId(this.lastEventId).catch(() => undefined);
  }
}

/** A wait that ends early when the client is closed. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
