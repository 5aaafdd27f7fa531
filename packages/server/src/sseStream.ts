import type { Socket } from "node:net";
import type { ServerEvent } from "./storage/events.js";

const HEARTBEAT_MS = 15_000;
const FLUSH_EVENTS = 500;

/** How long queued events wait to be written together (group commits landing meanwhile share the write). */
const FLUSH_MS = 4;

const text = (e: ServerEvent) => `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;

/**
 * The bytes of a run of events, built once per turn of the event loop however many devices receive the same
 * run (a group's members all do). Keyed by the events' ids, which are unique.
 */
const encoded = new Map<string, Buffer>();
function encode(events: readonly ServerEvent[]): Buffer {
  const key = events.map((e) => e.id).join(",");
  let bytes = encoded.get(key);
  if (bytes === undefined) {
    if (encoded.size === 0) setImmediate(() => encoded.clear());
    bytes = Buffer.from(events.map(text).join(""));
    encoded.set(key, bytes);
  }
  return bytes;
}

/**
 * One device's server-sent event stream, written straight to its socket. The response is delimited by the
 * connection's end (an event stream has no other end), which spares every write HTTP's chunk framing and
 * corking; events leave in batches, and the bytes of a batch are encoded once for all the devices that get it.
 */
export class SseStream {
  private unsent: ServerEvent[] = [];
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly socket: Socket,
    /** Id of the last event written; events at or below it are not sent again. */
    private lastSent: number,
    private readonly backlogBytes: number,
    private readonly onClose: () => void,
  ) {
    socket.write(
      "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n: connected\n\n",
    );
    this.heartbeat = setInterval(() => socket.write(": heartbeat\n\n"), HEARTBEAT_MS);
    socket.once("close", () => this.close());
    socket.on("error", () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get lastEventId(): number {
    return this.lastSent;
  }

  /** Queue an event; what is queued within FLUSH_MS leaves in one write. */
  send(e: ServerEvent): void {
    if (this.closed || e.id <= this.lastSent) return;
    this.lastSent = e.id;
    if (this.unsent.length === 0) setTimeout(() => this.flush(), FLUSH_MS);
    this.unsent.push(e);
    // A replay is written as it goes (about 150 bytes an event), so the backlog limit applies to it too.
    if (this.unsent.length >= FLUSH_EVENTS) this.flush();
  }

  /** A client that lets more than `backlogBytes` pile up is told it lagged and is disconnected. */
  private flush(): void {
    if (this.closed || this.unsent.length === 0) return;
    this.socket.write(encode(this.unsent));
    this.unsent = [];
    if (this.socket.writableLength > this.backlogBytes) this.lagged();
  }

  /** Tell the client it fell too far behind (it resyncs by fetching), and disconnect it. */
  lagged(): void {
    if (this.closed) return;
    if (this.unsent.length > 0) this.socket.write(encode(this.unsent));
    this.unsent = [];
    this.socket.write(`event: lagged\ndata: ${JSON.stringify({ lastEventId: this.lastSent })}\n\n`);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    // Closing our side is not enough: a client may keep its side open, and the server waits for every socket.
    this.socket.end(() => this.socket.destroy());
    this.onClose();
  }
}
