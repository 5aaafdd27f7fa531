import { type CipherGCMTypes, createCipheriv, createDecipheriv } from "node:crypto";
import { CryptoError } from "../engine.js";

export type NodeAeadName = "aes-128-gcm" | "aes-256-gcm" | "chacha20-poly1305";

const TAG_LENGTH = 16;

export const AEAD_KEY_SIZE: Readonly<Record<NodeAeadName, number>> = {
  "aes-128-gcm": 16,
  "aes-256-gcm": 32,
  "chacha20-poly1305": 32,
};
export const AEAD_NONCE_SIZE = 12;

export function aeadSeal(
  alg: NodeAeadName,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  const cipher = createCipheriv(alg as CipherGCMTypes, key, nonce, { authTagLength: TAG_LENGTH });
  if (aad.length > 0) cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  const tag = cipher.getAuthTag();
  const out = new Uint8Array(body.length + tail.length + TAG_LENGTH);
  out.set(body, 0);
  out.set(tail, body.length);
  out.set(tag, body.length + tail.length);
  return out;
}

/** Opens `ciphertext ‖ tag`; a wrong key, nonce, AAD or tag throws the engine's CryptoError, as ts-mls expects. */
export function aeadOpen(
  alg: NodeAeadName,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array {
  if (ciphertext.length < TAG_LENGTH) throw new CryptoError("AEAD ciphertext shorter than its tag");
  try {
    const decipher = createDecipheriv(alg as CipherGCMTypes, key, nonce, { authTagLength: TAG_LENGTH });
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_LENGTH));
    if (aad.length > 0) decipher.setAAD(aad);
    const body = decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_LENGTH));
    const tail = decipher.final();
    if (tail.length === 0) return new Uint8Array(body);
    const out = new Uint8Array(body.length + tail.length);
    out.set(body, 0);
    out.set(tail, body.length);
    return out;
  } catch {
    throw new CryptoError("AEAD decryption failed");
  }
}
