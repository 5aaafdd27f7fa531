/** Small byte helpers for the node:crypto provider. */

/** A plain Uint8Array copy of a Buffer, so callers never see Buffer's different `slice`/equality semantics. */
export function plain(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** I2OSP from RFC 8017: `n` as a big-endian integer of `length` bytes. */
export function i2osp(n: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1, v = n; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v & 0xff;
  return out;
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function fromHex(hex: string): Uint8Array {
  return plain(Buffer.from(hex, "hex"));
}

export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

/** Left-pad `bytes` with zeros to `length` (fixed-width scalars and coordinates). */
export function leftPad(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length >= length) return bytes;
  const out = new Uint8Array(length);
  out.set(bytes, length - bytes.length);
  return out;
}

export function fromBase64url(text: string | undefined): Uint8Array {
  return plain(Buffer.from(text ?? "", "base64url"));
}
