import { createCipheriv, createDecipheriv } from "node:crypto";

/** DAVE frames carry an 8-byte (truncated) AES-128-GCM tag. */
export const TAG_BYTES = 8;

/** The 12-byte GCM IV of a frame: 8 zero bytes, then the 32-bit truncated nonce little-endian. */
export function frameIv(truncatedNonce: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32LE(truncatedNonce >>> 0, 8);
  return iv;
}

export function seal(
  key: Uint8Array,
  truncatedNonce: number,
  aad: Uint8Array,
  plaintext: Uint8Array,
): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv("aes-128-gcm", key, frameIv(truncatedNonce), { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

/** The plaintext, or undefined when the tag does not verify. */
export function open(
  key: Uint8Array,
  truncatedNonce: number,
  aad: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
): Buffer | undefined {
  try {
    const decipher = createDecipheriv("aes-128-gcm", key, frameIv(truncatedNonce), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(tag);
    decipher.setAAD(aad);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}
