/**
 * RFC 9420 §2.1.2 variable-length integers (QUIC's, RFC 9000 §16, without the 8-byte form): the top two bits
 * of the first byte give the length (1, 2 or 4 bytes), the rest is the value, big-endian.
 */

/** The largest value the 4-byte form holds: 2^30 - 1. */
export const VARINT_MAX = 0x3fffffff;

/** How many bytes the minimal encoding of `value` takes. */
export function varintSize(value: number): 1 | 2 | 4 {
  if (value < 0x40) return 1;
  if (value < 0x4000) return 2;
  return 4;
}
