import { ParleyMlsError } from "../errors.js";

/** Builds Parley's own small binary records (saved state, key package bundles) in TLS style. */
export class ByteWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  u8(n: number): this {
    return this.push(Uint8Array.of(n));
  }

  u16(n: number): this {
    return this.push(Uint8Array.of(n >>> 8, n & 0xff));
  }

  u32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    return this.push(b);
  }

  /** A u32 length prefix, then the bytes. */
  vector(bytes: Uint8Array): this {
    return this.u32(bytes.length).push(bytes);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const p of this.parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }

  private push(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.length += bytes.length;
    return this;
  }
}

/** Reads what ByteWriter wrote; any shortfall is a typed "truncated" error naming the record. */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }

  u16(): number {
    this.need(2);
    const n = this.view.getUint16(this.offset);
    this.offset += 2;
    return n;
  }

  u32(): number {
    this.need(4);
    const n = this.view.getUint32(this.offset);
    this.offset += 4;
    return n;
  }

  vector(): Uint8Array {
    const length = this.u32();
    this.need(length);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  end(): void {
    if (this.offset !== this.bytes.length) {
      throw new ParleyMlsError(
        "malformed",
        `${this.what}: ${this.bytes.length - this.offset} trailing bytes`,
      );
    }
  }

  private need(n: number): void {
    if (this.offset + n > this.bytes.length) {
      throw new ParleyMlsError(
        "truncated",
        `${this.what} ends at byte ${this.bytes.length}, needed ${this.offset + n}`,
      );
    }
  }
}
