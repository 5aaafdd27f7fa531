import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from "node:crypto";

/** DAVE frames carry an 8-byte (truncated) AES-128-GCM tag. */
export const TAG_BYTES = 8;

/** The 12-byte GCM IV of a frame: 8 zero bytes, then the 32-bit truncated nonce little-endian. */
export function frameIv(truncatedNonce: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32LE(truncatedNonce >>> 0, 8);
  return iv;
}

/** A frame key imported once: node's per-call cost drops by a quarter when the key is a KeyObject. */
export function frameKey(key: Uint8Array): KeyObject {
  return createSecretKey(key);
}

export function seal(
  key: KeyObject,
  truncatedNonce: number,
  aad: Uint8Array,
  plaintext: Uint8Array,
): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv("aes-128-gcm", key, frameIv(truncatedNonce), { authTagLength: TAG_BYTES });
  if (aad.length > 0) cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const tail = cipher.final(); // empty for GCM, but part of the contract
  return { ciphertext: tail.length === 0 ? body : Buffer.concat([body, tail]), tag: cipher.getAuthTag() };
}

/** The plaintext, or undefined when the tag does not verify. */
export function open(
  key: KeyObject,
  truncatedNonce: number,
  aad: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Uint8Array | undefined {
  try {
    const decipher = createDecipheriv("aes-128-gcm", key, frameIv(truncatedNonce), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(tag);
    if (aad.length > 0) decipher.setAAD(aad);
    const body = decipher.update(ciphertext);
    const tail = decipher.final();
    const plaintext = tail.length === 0 ? body : Buffer.concat([body, tail]);
    // A plain Uint8Array view (no copy): callers compare and slice it as one.
    return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.length);
  } catch {
    return undefined;
  }
}
