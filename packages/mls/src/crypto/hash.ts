import { createHmac, hash as oneShotHash, timingSafeEqual } from "node:crypto";
import { concat, i2osp, plain } from "./bytes.js";

/** node:crypto digest names of the MLS hash algorithms. */
export type NodeHashName = "sha256" | "sha384" | "sha512";

export const HASH_SIZE: Readonly<Record<NodeHashName, number>> = { sha256: 32, sha384: 48, sha512: 64 };

export function digest(hash: NodeHashName, data: Uint8Array): Uint8Array {
  // The one-shot form (Node ≥ 20.12) skips the Hash object: half the cost for MLS's short inputs.
  return plain(oneShotHash(hash, data, "buffer"));
}

export function hmac(hash: NodeHashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return plain(createHmac(hash, key).update(data).digest());
}

export function verifyHmac(hash: NodeHashName, key: Uint8Array, mac: Uint8Array, data: Uint8Array): boolean {
  const expected = createHmac(hash, key).update(data).digest();
  return mac.length === expected.length && timingSafeEqual(expected, mac);
}

/** HKDF-Extract (RFC 5869 §2.2). An empty salt is HMAC with a zero-length key, which HMAC pads to zeros. */
export function hkdfExtract(hash: NodeHashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmac(hash, salt, ikm);
}

/**
 * HKDF-Expand (RFC 5869 §2.3) on its own: MLS and HPKE call expand on PRKs they derived themselves, which
 * node's one-shot `hkdf` (extract then expand) cannot do.
 */
export function hkdfExpand(
  hash: NodeHashName,
  prk: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  const size = HASH_SIZE[hash];
  if (!Number.isInteger(length) || length < 0 || length > 255 * size) {
    throw new RangeError(`HKDF-Expand length ${length} out of range`);
  }
  const out = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  for (let i = 1, offset = 0; offset < length; i++) {
    previous = createHmac(hash, prk)
      .update(concat(previous, info, i2osp(i, 1)))
      .digest();
    out.set(previous.subarray(0, Math.min(size, length - offset)), offset);
    offset += size;
  }
  return out;
}
