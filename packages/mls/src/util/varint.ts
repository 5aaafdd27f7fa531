import { ParleyMlsError } from "../errors.js";

/** RFC 9420 §2.1.2 variable-length integer (1, 2 or 4 bytes; minimal encoding required). */
export function writeVarint(n: number): Uint8Array {
  if (n < 0x40) return Uint8Array.of(n);
  if (n < 0x4000) return Uint8Array.of(0x40 | (n >>> 8), n & 0xff);
  if (n < 0x40000000) return Uint8Array.of(0x80 | (n >>> 24), (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  throw new ParleyMlsError("oversized", `length ${n} does not fit an MLS varint`);
}

export function readVarint(bytes: Uint8Array, offset: number, what: string): { value: number; next: number } {
  const first = bytes[offset];
  if (first === undefined) throw new ParleyMlsError("truncated", `${what}: missing length at byte ${offset}`);
  const size = 1 << (first >>> 6);
  if (size === 8) throw new ParleyMlsError("malformed", `${what}: invalid varint prefix at byte ${offset}`);
  if (offset + size > bytes.length)
    throw new ParleyMlsError("truncated", `${what}: length cut short at byte ${offset}`);
  let value = first & 0x3f;
  for (let i = 1; i < size; i++) value = value * 256 + (bytes[offset + i] as number);
  const minimal = size === 1 || value >= (size === 2 ? 0x40 : 0x4000);
  if (!minimal) throw new ParleyMlsError("malformed", `${what}: non-minimal varint at byte ${offset}`);
  return { value, next: offset + size };
}
