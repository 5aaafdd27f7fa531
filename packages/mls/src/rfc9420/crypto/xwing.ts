import { createHash, randomFillSync } from "node:crypto";
import { XWing } from "@noble/post-quantum/hybrid.js";
import { plain } from "../../crypto/bytes.js";
import type { DhKem } from "../../crypto/dhkem.js";

/** HPKE KEM id of X-Wing (draft-connolly-cfrg-xwing-kem). */
export const XWING_KEM_ID = 0x647a;

const SEED_SIZE = 32;
const PUBLIC_KEY_SIZE = 1216;
const CIPHERTEXT_SIZE = 1120;

function checkLength(bytes: Uint8Array, size: number, what: string): Uint8Array {
  if (bytes.length !== size) throw new RangeError(`X-Wing ${what} must be ${size} bytes`);
  return bytes;
}

/**
 * X-Wing (ML-KEM-768 + X25519) as an HPKE KEM on serialized keys: the private key is the 32-byte seed, and
 * X-Wing's shared secret is HPKE's shared_secret directly. DeriveKeyPair hashes the IKM to a seed with
 * SHAKE256, as the draft's HPKE section specifies.
 */
export const xwingKem: DhKem = {
  id: XWING_KEM_ID,
  generateKeyPair() {
    const seed = randomFillSync(new Uint8Array(SEED_SIZE));
    return { privateKey: seed, publicKey: XWing.getPublicKey(seed) };
  },
  deriveKeyPair(ikm) {
    const seed = plain(createHash("shake256", { outputLength: SEED_SIZE }).update(ikm).digest());
    return { privateKey: seed, publicKey: XWing.getPublicKey(seed) };
  },
  checkPrivateKey: (sk) => checkLength(sk, SEED_SIZE, "private key"),
  checkPublicKey: (pk) => checkLength(pk, PUBLIC_KEY_SIZE, "public key"),
  encap(pkR) {
    checkLength(pkR, PUBLIC_KEY_SIZE, "public key");
    // @noble/post-quantum 0.5.2's encapsulate zeroes the public key it is given: hand it a copy.
    const { cipherText, sharedSecret } = XWing.encapsulate(pkR.slice());
    return { sharedSecret, enc: cipherText };
  },
  decap(enc, skR) {
    checkLength(enc, CIPHERTEXT_SIZE, "ciphertext");
    return XWing.decapsulate(enc, checkLength(skR, SEED_SIZE, "private key"));
  },
};
