/**
 * A `text/event-stream` parser (WHATWG HTML §9.2.6) over decoded text chunks: fields `event`, `data`, `id`,
 * comments ignored, CRLF/CR/LF line ends, multi-line data joined with "\n". Events without data are dropped,
 * as the spec says. Lines longer than `maxLine` mean the stream is not what we expect.
 */
export interface RawEvent {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

export class EventStreamParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private id: string | undefined;
  private pendingCr = false;

  constructor(private readonly maxLine = 1024 * 1024) {}

  /** Feed decoded text; returns the events completed by it. */
  push(chunk: string): RawEvent[] {
    const out: RawEvent[] = [];
    let text = chunk;
    if (this.pendingCr && text.startsWith("\n")) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      if (match[0] === "\r" && match.index === this.buffer.length - 1) this.pendingCr = true;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) out.push(event);
    }
    if (this.buffer.length > this.maxLine) throw new RangeError("event stream line too long");
    return out;
  }

  private line(line: string): RawEvent | undefined {
    if (line === "") {
      const data = this.data;
      const event = this.event || "message";
      this.data = [];
      this.event = "";
      if (data.length === 0) return undefined;
      return { event, data: data.join("\n"), ...(this.id !== undefined ? { id: this.id } : {}) };
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.id = value;
    return undefined;
  }
}
