import { generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import type { Signature, SignatureAlgorithm } from "ts-mls/crypto/signature.js";
import type { BoundedCache } from "./boundedCache.js";
import { plain } from "./bytes.js";
import { generateEcKeyPair, importEcPrivate, importEcPublic, type NistCurve } from "./ec.js";
import {
  exportOkpPrivate,
  exportOkpPublic,
  importOkpPrivate,
  importOkpPublic,
  OKP_KEY_LENGTH,
} from "./okp.js";

type ClassicalSignature = Exclude<SignatureAlgorithm, "ML-DSA-87">;

const ECDSA: Readonly<Record<"P256" | "P384" | "P521", { curve: NistCurve; hash: string }>> = {
  P256: { curve: "P-256", hash: "sha256" },
  P384: { curve: "P-384", hash: "sha384" },
  P521: { curve: "P-521", hash: "sha512" },
};

/** ts-mls's default provider stores Ed25519 private keys as PKCS#8 (a 16-byte header, then the seed). */
function edSeed(curve: "Ed25519" | "Ed448", key: Uint8Array): Uint8Array {
  const length = OKP_KEY_LENGTH[curve].private;
  return key.length === 16 + length && curve === "Ed25519" ? key.subarray(16) : key;
}

/**
 * Signatures for MLS: EdDSA (RFC 8032, pure) and ECDSA with the curve's hash and DER-encoded signatures
 * (RFC 9420 §5.1.2). Public keys are produced in the RFC's form (raw for EdDSA, uncompressed points for
 * ECDSA); compressed points from other providers are accepted. `verify` answers false, never throws, on a
 * malformed key or signature, since both arrive from the network.
 */
export function makeSignature(alg: ClassicalSignature, cache: BoundedCache<KeyObject>): Signature {
  if (alg === "Ed25519" || alg === "Ed448") {
    const privateKey = (k: Uint8Array): KeyObject => {
      const seed = edSeed(alg, k);
      return cache.get(`${alg}-priv`, seed, () => importOkpPrivate(alg, seed));
    };
    const publicKey = (k: Uint8Array): KeyObject => cache.get(`${alg}-pub`, k, () => importOkpPublic(alg, k));
    return {
      async sign(signKey, message) {
        return plain(sign(null, message, privateKey(signKey)));
      },
      async verify(pub, message, signature) {
        try {
          return verify(null, message, publicKey(pub), signature);
        } catch {
          return false;
        }
      },
      async keygen() {
        const pair = alg === "Ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ed448");
        return { signKey: exportOkpPrivate(pair.privateKey), publicKey: exportOkpPublic(pair.privateKey) };
      },
    };
  }
  const { curve, hash } = ECDSA[alg];
  const privateKey = (k: Uint8Array): KeyObject =>
    cache.get(`${curve}-priv`, k, () => importEcPrivate(curve, k));
  const publicKey = (k: Uint8Array): KeyObject =>
    cache.get(`${curve}-pub`, k, () => importEcPublic(curve, k));
  return {
    async sign(signKey, message) {
      return plain(sign(hash, message, { key: privateKey(signKey), dsaEncoding: "der" }));
    },
    async verify(pub, message, signature) {
      try {
        return verify(hash, message, { key: publicKey(pub), dsaEncoding: "der" }, signature);
      } catch {
        return false;
      }
    },
    async keygen() {
      const pair = generateEcKeyPair(curve);
      return { signKey: pair.privateKey, publicKey: pair.publicKey };
    },
  };
}
