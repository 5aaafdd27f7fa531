import pg from "pg";
import type { Db } from "../storage/db.js";
import { eventFromRow, type ServerEvent } from "../storage/events.js";

/** Rows read from the event log per query while catching up. */
const PAGE = 1000;
/** Reconnect and retry delays after a lost listener connection or a failed read, doubling up to the cap. */
const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 2000;

export interface FeedLog {
  warn(details: object, message: string): void;
}

/** The channels an instance listens on: new events, and ended sessions (see streamEnds.ts). */
export const EVENTS_CHANNEL = "parley:";
export const ENDS_CHANNEL = "parley-end:";

/** What the feed hands on: the log's new events in id order, and other instances' stream ends. */
export interface FeedHandlers {
  events(events: readonly ServerEvent[]): void;
  end(payload: string): void;
}

/** Where the listener connects: the database URL and the schema the instance's tables are in. */
export interface FeedTarget {
  readonly url: string;
  readonly schema?: string;
}

/**
 * The event log's tail, read in id order by one instance of several sharing a PostgreSQL database. A listener
 * connection hears of new events (a notification carries only an event id); the feed then reads every row
 * after its cursor and hands them on in order, so each event is delivered once whichever instance wrote it.
 * A notification is only a hint: one for an id at or below the cursor (or not an id at all) reads nothing.
 * After a lost connection the feed reconnects and catches up from its cursor, so nothing is lost.
 */
export class EventFeed {
  private cursor = 0;
  private reading = false;
  private again = false;
  private closed = false;
  private listener: pg.Client | undefined;
  private listening = false;
  private retryMs = RETRY_MIN_MS;
  private readTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly db: Db,
    private readonly target: FeedTarget,
    private readonly handlers: FeedHandlers,
    private readonly log: FeedLog,
  ) {}

  /** Start listening, with the cursor at the log's end (earlier events are for replays, not live delivery). */
  static async start(db: Db, target: FeedTarget, handlers: FeedHandlers, log: FeedLog): Promise<EventFeed> {
    const feed = new EventFeed(db, target, handlers, log);
    await feed.listen();
    const [row] = await db.all("SELECT COALESCE(MAX(id), 0) AS id FROM event_log");
    feed.cursor = Number(row?.id ?? 0);
    return feed;
  }

  /** Whether the listener connection is up (while it is down, other instances' events wait). */
  get connected(): boolean {
    return this.listening;
  }

  /** Read what the log holds past the cursor (this instance committed events, or was told of some). */
  poke(): void {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    void this.read();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.readTimer);
    clearTimeout(this.connectTimer);
    this.listening = false;
    await this.listener?.end().catch(() => undefined);
  }

  private async read(): Promise<void> {
    this.reading = true;
    try {
      do {
        this.again = false;
        for (;;) {
          const rows = await this.db.all(
            "SELECT id, type, group_id, seq, device_id, payload FROM event_log WHERE id > ? ORDER BY id LIMIT ?",
            [this.cursor, PAGE],
          );
          if (this.closed) return;
          if (rows.length === 0) break;
          const events = rows.map(eventFromRow);
          this.cursor = (events[events.length - 1] as ServerEvent).id;
          this.handlers.events(events);
          if (rows.length < PAGE) break;
        }
      } while (this.again && !this.closed);
    } catch (err) {
      // The database is unreachable for now: the cursor stays, and the read is retried.
      this.log.warn({ err: String(err) }, "event log read failed");
      this.readTimer = setTimeout(() => this.poke(), RETRY_MAX_MS);
      this.readTimer.unref();
    } finally {
      this.reading = false;
    }
  }

  /** Connect the listener; the first connection must succeed, later ones are retried until closed. */
  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.target.url,
      ...(this.target.schema ? { options: `-c search_path=${this.target.schema}` } : {}),
    });
    client.on("notification", (message) => {
      if (message.channel.startsWith(ENDS_CHANNEL)) return this.handlers.end(message.payload ?? "");
      const id = Number(message.payload);
      if (Number.isSafeInteger(id) && id > this.cursor) this.poke();
    });
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      for (const prefix of [EVENTS_CHANNEL, ENDS_CHANNEL]) {
        const [row] = (await client.query(channelQuery(prefix))).rows;
        await client.query(`LISTEN "${String(row.channel).replace(/"/g, '""')}"`);
      }
    } catch (err) {
      client.end().catch(() => undefined);
      throw err;
    }
    this.listener = client;
    this.listening = true;
    this.retryMs = RETRY_MIN_MS;
  }

  private lost(client: pg.Client): void {
    if (this.listener !== client || this.closed) return;
    this.listener = undefined;
    this.listening = false;
    this.log.warn({}, "event listener connection lost; reconnecting");
    client.end().catch(() => undefined);
    this.reconnect();
  }

  private reconnect(): void {
    this.connectTimer = setTimeout(async () => {
      try {
        await this.listen();
        // Whatever was committed while the connection was down is read now.
        this.poke();
      } catch (err) {
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
        this.log.warn({ err: String(err) }, "event listener reconnect failed");
        if (!this.closed) this.reconnect();
      }
    }, this.retryMs);
    this.connectTimer.unref();
  }
}

/** The SQL naming this schema's channel for `prefix` (channel names are identifiers: at most 63 bytes). */
export const channelQuery = (prefix: string) => `SELECT left('${prefix}' || current_schema(), 63) AS channel`;
