import { generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import type { Signature, SignatureAlgorithm } from "ts-mls/crypto/signature.js";
import { exportOkpPrivate, exportOkpPublic, importOkpPrivate, importOkpPublic, OKP } from "./asn1.js";
import { plain } from "./bytes.js";
import { exportEcPrivate, exportEcPublic, importEcPrivate, importEcPublic, type NistCurve } from "./ec.js";
import type { KeyObjectCache } from "./keyCache.js";

type ClassicalSignature = Exclude<SignatureAlgorithm, "ML-DSA-87">;

const ECDSA: Readonly<Record<"P256" | "P384" | "P521", { curve: NistCurve; hash: string }>> = {
  P256: { curve: "P-256", hash: "sha256" },
  P384: { curve: "P-384", hash: "sha384" },
  P521: { curve: "P-521", hash: "sha512" },
};

/** ts-mls's default provider stores Ed25519 private keys as PKCS#8 (48 bytes); accept them beside raw seeds. */
function edPrivate(curve: "Ed25519" | "Ed448", key: Uint8Array): Uint8Array {
  const shape = OKP[curve];
  if (key.length === shape.privatePrefix.length + shape.privateLength)
    return key.subarray(shape.privatePrefix.length);
  return key;
}

/**
 * Signatures for MLS: EdDSA (RFC 8032, pure) and ECDSA with the curve's hash and DER-encoded signatures
 * (RFC 9420 §5.1.2). Public keys are produced in the RFC's form (raw for EdDSA, uncompressed points for
 * ECDSA); compressed points from other providers are accepted. `verify` answers false, never throws, on a
 * malformed key or signature, since both arrive from the network.
 */
export function makeSignature(alg: ClassicalSignature, cache: KeyObjectCache): Signature {
  if (alg === "Ed25519" || alg === "Ed448") {
    const privateKey = (k: Uint8Array): KeyObject => {
      const raw = edPrivate(alg, k);
      return cache.get(`${alg}-priv`, raw, () => importOkpPrivate(alg, raw));
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
        return {
          signKey: exportOkpPrivate(alg, pair.privateKey),
          publicKey: exportOkpPublic(alg, pair.publicKey),
        };
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
      const pair = generateKeyPairSync("ec", { namedCurve: curve });
      return {
        signKey: exportEcPrivate(curve, pair.privateKey),
        publicKey: exportEcPublic(curve, pair.publicKey),
      };
    },
  };
}
