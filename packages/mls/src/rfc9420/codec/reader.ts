import { CodecError } from "./error.js";

/**
 * Reads TLS-presentation structures from a byte array without copying: every opaque value is a `subarray`
 * view of the input, so decoded structures share the input's memory (copy it if you mean to mutate it).
 * A vector narrows the readable end to its own length, so an item can never read past the vector that holds
 * it and a length can never exceed the input that remains: no allocation is sized by untrusted lengths.
 */
export class Reader {
  private at: number;
  private end: number;
  private readonly limit: number;

  constructor(
    private readonly input: Uint8Array,
    start = 0,
    end = input.length,
  ) {
    this.at = start;
    this.end = end;
    this.limit = end;
  }

  /** Where the next read starts, from the start of the input. */
  get offset(): number {
    return this.at;
  }

  /** Bytes left before the current end (the enclosing vector's, or the input's). */
  get remaining(): number {
    return this.end - this.at;
  }

  fail(field: string, reason: string, code: "malformed" | "unsupported" = "malformed"): never {
    throw new CodecError(code, field, this.at, reason);
  }

  private need(n: number, field: string): number {
    if (n > this.end - this.at) {
      // Past the input's end the input is cut short; past a vector's end its length is wrong.
      const code = this.end === this.limit ? "truncated" : "malformed";
      throw new CodecError(code, field, this.at, `needs ${n} bytes, ${this.end - this.at} remain`);
    }
    const at = this.at;
    this.at += n;
    return at;
  }

  uint8(field: string): number {
    return this.input[this.need(1, field)]!;
  }

  uint16(field: string): number {
    const i = this.need(2, field);
    return (this.input[i]! << 8) | this.input[i + 1]!;
  }

  uint32(field: string): number {
    const i = this.need(4, field);
    const b = this.input;
    return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  }

  uint64(field: string): bigint {
    const high = this.uint32(field);
    return (BigInt(high) << 32n) | BigInt(this.uint32(field));
  }

  /** A §2.1.2 variable-length integer; non-minimal encodings and the reserved 8-byte prefix are refused. */
  varint(field: string): number {
    const start = this.at;
    const first = this.uint8(field);
    const prefix = first >> 6;
    if (prefix === 0) return first;
    if (prefix === 3) return this.refuse(start, field, "uses the reserved 8-byte length prefix");
    let value = first & 0x3f;
    const size = prefix === 1 ? 2 : 4;
    for (let i = 1; i < size; i++) value = value * 256 + this.uint8(field);
    if (value < (size === 2 ? 0x40 : 0x4000)) return this.refuse(start, field, "is not minimally encoded");
    return value;
  }

  private refuse(start: number, field: string, reason: string): never {
    throw new CodecError("malformed", field, start, `variable-length integer ${reason}`);
  }

  /** `n` bytes as a view of the input. */
  bytes(n: number, field: string): Uint8Array {
    const i = this.need(n, field);
    return this.input.subarray(i, i + n);
  }

  /** `opaque field<V>`: a variable-length integer length, then that many bytes, as a view. */
  opaque(field: string): Uint8Array {
    return this.bytes(this.varint(field), field);
  }

  /** `T field<V>`: items read one after another until the vector's length is used up exactly. */
  vector<T>(field: string, item: (r: Reader) => T): T[] {
    const items: T[] = [];
    this.nested(field, () => {
      while (this.at < this.end) {
        const start = this.at;
        items.push(item(this));
        // An item that reads nothing would loop forever on a non-empty vector.
        if (this.at === start) this.fail(field, "an item of this vector is empty");
      }
    });
    return items;
  }

  /** Read `body` inside a length-prefixed region that it must consume exactly. */
  nested<T>(field: string, body: (r: Reader) => T): T {
    const length = this.varint(field);
    const outer = this.end;
    const start = this.at;
    this.need(length, field);
    this.at = start;
    this.end = start + length;
    const value = body(this);
    if (this.at !== this.end) this.fail(field, `${this.end - this.at} bytes left inside its length`);
    this.end = outer;
    return value;
  }

  /** `optional<T>`: a presence byte, 0 or 1, then T when present. */
  optional<T>(field: string, item: (r: Reader) => T): T | undefined {
    const present = this.uint8(field);
    if (present === 0) return undefined;
    if (present !== 1) {
      throw new CodecError("malformed", field, this.at - 1, `presence byte is ${present}, not 0 or 1`);
    }
    return item(this);
  }

  /** Refuse anything left after a whole structure. */
  finish(field: string): void {
    if (this.at !== this.end) this.fail(field, `${this.end - this.at} trailing bytes`);
  }
}

/** Decode a whole byte array as one structure: trailing bytes are an error. */
export function decodeAll<T>(bytes: Uint8Array, read: (r: Reader) => T, field: string): T {
  const r = new Reader(bytes);
  const value = read(r);
  r.finish(field);
  return value;
}
