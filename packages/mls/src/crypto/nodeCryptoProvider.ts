import { randomFillSync } from "node:crypto";
import type { Ciphersuite, CiphersuiteImpl, CryptoProvider } from "../engine.js";
import { defaultCryptoProvider } from "../engine.js";
import { isDhKem, makeDhKem } from "./dhkem.js";
import { digest, HASH_SIZE, hkdfExpand, hkdfExtract, hmac, type NodeHashName, verifyHmac } from "./hash.js";
import { makeHpke } from "./hpke.js";
import { kemKeys, signatureKeys } from "./keyCache.js";
import { makeSignature } from "./signature.js";

const HASH: Readonly<Record<Ciphersuite["hash"], NodeHashName>> = {
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
};

const rng = {
  randomBytes(n: number): Uint8Array {
    return randomFillSync(new Uint8Array(n));
  },
};

/**
 * A ts-mls `CryptoProvider` on node:crypto (OpenSSL) for ciphersuites 1–7. Each operation runs synchronously
 * and returns an already-resolved promise: OpenSSL calls are microseconds, so handing them to WebCrypto's
 * thread pool would cost more than it saves. The post-quantum suites (ML-KEM, X-Wing, ML-DSA), which OpenSSL
 * in Node 20 lacks, are delegated whole to ts-mls's default provider.
 *
 * Usable as `getCiphersuiteImpl(getCiphersuiteFromName(name), nodeCryptoProvider)`.
 */
export const nodeCryptoProvider: CryptoProvider = {
  async getCiphersuiteImpl(cs: Ciphersuite): Promise<CiphersuiteImpl> {
    const kem = cs.hpke.kem;
    if (!isDhKem(kem) || cs.signature === "ML-DSA-87") return defaultCryptoProvider.getCiphersuiteImpl(cs);
    const hash = HASH[cs.hash];
    return {
      name: cs.name,
      hash: {
        digest: async (data) => digest(hash, data),
        mac: async (key, data) => hmac(hash, key, data),
        verifyMac: async (key, mac, data) => verifyHmac(hash, key, mac, data),
      },
      kdf: {
        extract: async (salt, ikm) => hkdfExtract(hash, salt, ikm),
        expand: async (prk, info, length) => hkdfExpand(hash, prk, info, length),
        size: HASH_SIZE[hash],
      },
      signature: makeSignature(cs.signature, signatureKeys),
      hpke: makeHpke(cs.hpke, makeDhKem(kem, kemKeys)),
      rng,
    };
  },
};
