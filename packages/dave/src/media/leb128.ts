/** Unsigned LEB128, as DAVE's frame trailer writes the nonce and the unencrypted ranges. */

export function leb128Size(value: number): number {
  let size = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 128)) size++;
  return size;
}

export function writeLeb128(value: number, out: Uint8Array, offset: number): number {
  let v = value;
  let at = offset;
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[at++] = v;
  return at - offset;
}

/**
 * Read one LEB128 from `bytes[offset, end)`: the value and the offset after it, or undefined when it runs past
 * `end` or exceeds 2^53 (no DAVE field comes near that).
 */
export function readLeb128(
  bytes: Uint8Array,
  offset: number,
  end: number,
): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let at = offset; at < end; at++) {
    const byte = bytes[at] as number;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, next: at + 1 };
    scale *= 128;
    if (scale > 2 ** 53) return undefined;
  }
  return undefined;
}
