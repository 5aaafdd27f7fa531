import { readVarint } from "@parley/mls";
import { VoiceGatewayError } from "./errors.js";

/** A bounds-checked cursor over TLS presentation-language bytes with RFC 9420 variable-length vectors. */
export class TlsReader {
  offset = 0;

  constructor(
    readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  private need(n: number): void {
    if (this.offset + n > this.bytes.length) {
      throw new VoiceGatewayError("truncated", `${this.what} ends at byte ${this.bytes.length}`);
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++] as number;
  }

  u16(): number {
    return (this.u8() << 8) | this.u8();
  }

  u32(): number {
    this.need(4);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, 4).getUint32(0);
    this.offset += 4;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.offset += n;
  }

  /** opaque<V>: the vector's body (a view, not a copy). */
  vector(): Uint8Array {
    let header: { value: number; next: number };
    try {
      header = readVarint(this.bytes, this.offset, this.what);
    } catch (err) {
      throw new VoiceGatewayError("malformed", (err as Error).message, { cause: err });
    }
    this.offset = header.next;
    this.need(header.value);
    const body = this.bytes.subarray(this.offset, this.offset + header.value);
    this.offset += header.value;
    return body;
  }
}
