import { AEAD_NONCE_SIZE, aeadOpen, aeadSeal, type NodeAeadName } from "../../crypto/aead.js";
import { digest, hkdfExpand, hkdfExtract, hmac, type NodeHashName, verifyHmac } from "../../crypto/hash.js";
import { ParleyMlsError } from "../../errors.js";

/** A suite's unlabeled, synchronous primitives: its hash, HMAC, HKDF and AEAD. */
export interface Primitives {
  hash(data: Uint8Array): Uint8Array;
  mac(key: Uint8Array, data: Uint8Array): Uint8Array;
  verifyMac(key: Uint8Array, mac: Uint8Array, data: Uint8Array): boolean;
  extract(salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  expand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array;
}

export function primitives(hash: NodeHashName, aead: NodeAeadName): Primitives {
  return {
    hash: (data) => digest(hash, data),
    mac: (key, data) => hmac(hash, key, data),
    verifyMac: (key, mac, data) => verifyHmac(hash, key, mac, data),
    extract: (salt, ikm) => hkdfExtract(hash, salt, ikm),
    expand(prk, info, length) {
      try {
        return hkdfExpand(hash, prk, info, length);
      } catch {
        throw new ParleyMlsError("usage", `HKDF-Expand length ${length} out of range`);
      }
    },
    seal(key, nonce, aad, plaintext) {
      checkNonce(nonce);
      try {
        return aeadSeal(aead, key, nonce, aad, plaintext);
      } catch {
        throw new ParleyMlsError("usage", "AEAD encryption failed: bad key size");
      }
    },
    open(key, nonce, aad, ciphertext) {
      checkNonce(nonce);
      try {
        return aeadOpen(aead, key, nonce, aad, ciphertext);
      } catch {
        throw new ParleyMlsError("invalid", "AEAD decryption failed");
      }
    },
  };
}

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== AEAD_NONCE_SIZE)
    throw new ParleyMlsError("usage", `AEAD nonce must be ${AEAD_NONCE_SIZE} bytes, got ${nonce.length}`);
}
