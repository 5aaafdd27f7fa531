import { asClientError, ParleyClientError } from "./errors.js";
import type { ServerEvent, Transport } from "./transport/transport.js";

export const LAST_EVENT_ID = "lastEventId";

export interface LiveHandlers {
  loadLastEventId(): Promise<number | undefined>;
  saveLastEventId(id: number): Promise<void>;
  /** A group's log has new entries (or its membership changed). */
  groupChanged(groupId: string): void;
  welcome(): void;
  /** Before every connection but a first one the caller already caught up for: fetch and send what waits. */
  resync(): Promise<void>;
  /** Caught up and the stream is open. */
  connected(): void;
  /** The resync or the stream failed (or the stream ended); the next attempt follows a back-off. */
  disconnected(error: ParleyClientError): void;
  error(error: ParleyClientError): void;
}

/**
 * Live delivery over the server's SSE stream. Events only say *that* something happened; the data is always
 * fetched from the log from the stored cursor, so a missed, repeated or reordered event cannot lose or duplicate
 * a message. After a drop or a `lagged` event the client resyncs by fetching, then reconnects; while the server
 * is unreachable it keeps trying with exponential back-off.
 */
export class LiveDelivery {
  private readonly controller = new AbortController();
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

  /** `resyncFirst`: the caller could not catch up (the server was unreachable), so do it before connecting. */
  start(options: { resyncFirst?: boolean } = {}): void {
    this.loop ??= this.run(options.resyncFirst ?? false);
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

  private async run(resyncFirst: boolean): Promise<void> {
    const signal = this.controller.signal;
    this.lastEventId = await this.handlers.loadLastEventId().catch(() => undefined);
    let delay = this.backoff.initialMs;
    let resync = resyncFirst;
    while (!signal.aborted) {
      try {
        if (resync) await this.handlers.resync();
        resync = true;
        const lagged = await this.stream(signal, () => {
          delay = this.backoff.initialMs;
        });
        if (!lagged && !signal.aborted)
          this.lost(new ParleyClientError("network", "GET /v1/events: the stream ended"));
      } catch (err) {
        if (signal.aborted) break;
        const error = asClientError(err, "network", "live delivery");
        if (error.code !== "network") this.handlers.error(error);
        this.lost(error);
      }
      if (signal.aborted) break;
      await sleep(delay, signal);
      delay = Math.min(delay * 2, this.backoff.maxMs);
    }
  }

  /** Read one stream until it ends; true when it ended with `lagged` (resync and reconnect, still connected). */
  private async stream(signal: AbortSignal, onEvent: () => void): Promise<boolean> {
    for await (const event of this.transport.events(this.lastEventId, signal)) {
      onEvent();
      if (!this.connected) {
        this.connected = true;
        for (const w of this.connectedWaiters.splice(0)) w();
        this.handlers.connected();
      }
      this.handle(event);
      if (event.type === "lagged") return true;
    }
    return false;
  }

  private lost(error: ParleyClientError): void {
    this.connected = false;
    this.handlers.disconnected(error);
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
