import { CodecError } from "./error.js";
import { VARINT_MAX, varintSize } from "./varint.js";

const RESERVED = 4;

/**
 * Writes TLS-presentation structures into one growing buffer. A length-prefixed nested structure is written
 * once: `nested` reserves the 4-byte maximum for its length, writes the body in place, then patches the
 * minimal length in and records the unused header bytes as a gap. `finish` closes every gap in one pass, so
 * each byte moves at most once however deep the nesting, and the nested body is never copied per level.
 */
export class Writer {
  private buf: Uint8Array;
  private at = 0;
  /** Bytes that `finish` will drop, so far: nested lengths are of the body as it will be, gaps removed. */
  private dropped = 0;
  /** Each gap as [position, size], in the order the nested structures ended. */
  private readonly gaps: number[] = [];

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
  }

  private room(n: number): number {
    if (this.at + n > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
      grown.set(this.buf.subarray(0, this.at));
      this.buf = grown;
    }
    const at = this.at;
    this.at += n;
    return at;
  }

  fail(field: string, reason: string): never {
    throw new CodecError("malformed", field, this.at, reason);
  }

  private check(value: number, max: number, field: string): void {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new CodecError("malformed", field, this.at, `${value} is outside 0..${max}`);
    }
  }

  uint8(value: number, field = "uint8"): void {
    this.check(value, 0xff, field);
    const i = this.room(1);
    this.buf[i] = value;
  }

  uint16(value: number, field = "uint16"): void {
    this.check(value, 0xffff, field);
    const i = this.room(2);
    this.buf[i] = value >>> 8;
    this.buf[i + 1] = value;
  }

  uint32(value: number, field = "uint32"): void {
    this.check(value, 0xffffffff, field);
    const i = this.room(4);
    this.buf[i] = value >>> 24;
    this.buf[i + 1] = value >>> 16;
    this.buf[i + 2] = value >>> 8;
    this.buf[i + 3] = value;
  }

  uint64(value: bigint, field = "uint64"): void {
    if (value < 0n || value > 0xffffffffffffffffn) {
      throw new CodecError("malformed", field, this.at, "is outside the uint64 range");
    }
    this.uint32(Number(value >> 32n), field);
    this.uint32(Number(value & 0xffffffffn), field);
  }

  varint(value: number, field = "varint"): void {
    this.check(value, VARINT_MAX, field);
    this.putVarint(this.room(varintSize(value)), value);
  }

  private putVarint(i: number, value: number): void {
    const size = varintSize(value);
    if (size === 1) {
      this.buf[i] = value;
    } else if (size === 2) {
      this.buf[i] = 0x40 | (value >>> 8);
      this.buf[i + 1] = value;
    } else {
      this.buf[i] = 0x80 | (value >>> 24);
      this.buf[i + 1] = value >>> 16;
      this.buf[i + 2] = value >>> 8;
      this.buf[i + 3] = value;
    }
  }

  /** Raw bytes, no length. */
  bytes(value: Uint8Array): void {
    const i = this.room(value.length);
    this.buf.set(value, i);
  }

  /** `opaque<V>`: length, then the bytes. */
  opaque(value: Uint8Array, field = "opaque"): void {
    this.varint(value.length, field);
    this.bytes(value);
  }

  /** `T<V>`: the items, behind their total encoded length. */
  vector<T>(items: readonly T[], item: (w: Writer, value: T) => void, field = "vector"): void {
    this.nested(() => {
      for (const value of items) item(this, value);
    }, field);
  }

  /** `optional<T>`: presence byte, then the value when present. */
  optional<T>(value: T | undefined, item: (w: Writer, value: T) => void): void {
    this.uint8(value === undefined ? 0 : 1);
    if (value !== undefined) item(this, value);
  }

  /** Write `body` behind its own variable-length length, without copying it (see the class comment). */
  nested(body: (w: Writer) => void, field = "nested"): void {
    const header = this.room(RESERVED);
    const droppedBefore = this.dropped;
    body(this);
    const length = this.at - header - RESERVED - (this.dropped - droppedBefore);
    this.check(length, VARINT_MAX, field);
    this.putVarint(header, length);
    const size = varintSize(length);
    if (size < RESERVED) {
      this.gaps.push(header + size, RESERVED - size);
      this.dropped += RESERVED - size;
    }
  }

  /** The encoding: the gaps closed, as a view of the writer's buffer (the writer is done after this). */
  finish(): Uint8Array {
    if (this.gaps.length === 0) return this.buf.subarray(0, this.at);
    const order: number[] = [];
    for (let i = 0; i < this.gaps.length; i += 2) order.push(i);
    order.sort((a, b) => this.gaps[a]! - this.gaps[b]!);
    let to = this.gaps[order[0]!]!;
    for (const [k, g] of order.entries()) {
      const from = this.gaps[g]! + this.gaps[g + 1]!;
      const next = order[k + 1];
      const until = next === undefined ? this.at : this.gaps[next]!;
      this.buf.copyWithin(to, from, until);
      to += until - from;
    }
    this.gaps.length = 0;
    this.at = to;
    this.dropped = 0;
    return this.buf.subarray(0, to);
  }
}

/** Encode one structure into a fresh writer and return its bytes. */
export function encodeWith<T>(value: T, write: (w: Writer, value: T) => void): Uint8Array {
  const w = new Writer();
  write(w, value);
  return w.finish();
}
