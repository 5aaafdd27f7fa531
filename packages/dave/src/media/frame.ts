import { TAG_BYTES } from "./aesGcm.js";
import { leb128Size, readLeb128, writeLeb128 } from "./leb128.js";

/*
 * The DAVE protocol frame (dave-notes "Frame format"):
 *   [frame, its encrypted ranges replaced by ciphertext] [8-byte tag] [ULEB128 truncated nonce]
 *   [ULEB128 (offset, size) pairs of unencrypted ranges] [u8 supplemental size] [0xFA 0xFA]
 * The ciphertext is the concatenation of the encrypted ranges; the AAD the concatenation of the clear ones.
 */

export interface Range {
  readonly offset: number;
  readonly size: number;
}

const MARKER = 0xfa;
/** Tag, supplemental size byte, marker: the least a protocol frame's trailer holds besides the nonce. */
const FIXED_SUPPLEMENTAL = TAG_BYTES + 1 + 2;

/** A frame split into the clear bytes (AAD) and the bytes to encrypt, per the codec's unencrypted ranges. */
function splitFrame(frame: Uint8Array, clear: readonly Range[]): { aad: Uint8Array; plaintext: Uint8Array } {
  if (clear.length === 0) return { aad: new Uint8Array(0), plaintext: frame };
  const aad = new Uint8Array(clear.reduce((n, r) => n + r.size, 0));
  const plaintext = new Uint8Array(frame.length - aad.length);
  let a = 0;
  let p = 0;
  let at = 0;
  for (const r of clear) {
    plaintext.set(frame.subarray(at, r.offset), p);
    p += r.offset - at;
    aad.set(frame.subarray(r.offset, r.offset + r.size), a);
    a += r.size;
    at = r.offset + r.size;
  }
  plaintext.set(frame.subarray(at), p);
  return { aad, plaintext };
}

/** Put clear and encrypted bytes back in frame order (the inverse of splitFrame), into `out` from 0. */
function interleave(out: Uint8Array, clear: readonly Range[], aad: Uint8Array, body: Uint8Array): number {
  let a = 0;
  let b = 0;
  let at = 0;
  for (const r of clear) {
    out.set(body.subarray(b, b + r.offset - at), at);
    b += r.offset - at;
    out.set(aad.subarray(a, a + r.size), r.offset);
    a += r.size;
    at = r.offset + r.size;
  }
  out.set(body.subarray(b), at);
  return at + body.length - b;
}

/** Assemble a protocol frame from its parts. */
export function buildProtocolFrame(
  clear: readonly Range[],
  aad: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  truncatedNonce: number,
): Uint8Array {
  let rangesSize = 0;
  for (const r of clear) rangesSize += leb128Size(r.offset) + leb128Size(r.size);
  const supplemental = FIXED_SUPPLEMENTAL + leb128Size(truncatedNonce) + rangesSize;
  if (supplemental > 0xff) throw new RangeError("unencrypted ranges do not fit the frame trailer");
  const out = new Uint8Array(aad.length + ciphertext.length + supplemental);
  let at = interleave(out, clear, aad, ciphertext);
  out.set(tag, at);
  at += TAG_BYTES;
  at += writeLeb128(truncatedNonce, out, at);
  for (const r of clear) {
    at += writeLeb128(r.offset, out, at);
    at += writeLeb128(r.size, out, at);
  }
  out[at++] = supplemental;
  out[at++] = MARKER;
  out[at] = MARKER;
  return out;
}

export interface ProtocolFrame {
  readonly tag: Uint8Array;
  readonly truncatedNonce: number;
  readonly clear: readonly Range[];
  readonly aad: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/**
 * The protocol frame check and parse (codec-agnostic): undefined unless the frame ends in the marker, its
 * supplemental size fits, the LEB128s are well formed, and the ranges ascend without overlap inside the
 * frame body.
 */
export function parseProtocolFrame(frame: Uint8Array): ProtocolFrame | undefined {
  const n = frame.length;
  if (n < FIXED_SUPPLEMENTAL || frame[n - 1] !== MARKER || frame[n - 2] !== MARKER) return undefined;
  const supplemental = frame[n - 3] as number;
  if (supplemental < FIXED_SUPPLEMENTAL || supplemental > n) return undefined;
  const bodyEnd = n - supplemental;
  const tagEnd = bodyEnd + TAG_BYTES;
  const sizeByte = n - 3;
  const nonce = readLeb128(frame, tagEnd, sizeByte);
  if (nonce === undefined || nonce.value > 0xffffffff) return undefined;
  const clear: Range[] = [];
  let at = nonce.next;
  let previousEnd = 0;
  while (at < sizeByte) {
    const offset = readLeb128(frame, at, sizeByte);
    if (offset === undefined) return undefined;
    const size = readLeb128(frame, offset.next, sizeByte);
    if (size === undefined) return undefined;
    if (offset.value < previousEnd || offset.value + size.value > bodyEnd) return undefined;
    clear.push({ offset: offset.value, size: size.value });
    previousEnd = offset.value + size.value;
    at = size.next;
  }
  const { aad, plaintext: ciphertext } = splitFrame(frame.subarray(0, bodyEnd), clear);
  return { tag: frame.subarray(bodyEnd, tagEnd), truncatedNonce: nonce.value, clear, aad, ciphertext };
}

/** The decrypted frame: clear ranges and plaintext back in order. */
export function rebuildFrame(parsed: ProtocolFrame, plaintext: Uint8Array): Uint8Array {
  if (parsed.clear.length === 0) return plaintext;
  const out = new Uint8Array(parsed.aad.length + plaintext.length);
  interleave(out, parsed.clear, parsed.aad, plaintext);
  return out;
}
