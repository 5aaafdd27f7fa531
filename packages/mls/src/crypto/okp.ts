import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { base64url, fromBase64url } from "./bytes.js";

/**
 * Edwards and Montgomery keys (RFC 8032, RFC 7748) as node:crypto KeyObjects, moved in and out through JWK:
 * in Node 20 a JWK import or export costs microseconds while the DER (PKCS#8/SPKI) path costs hundreds.
 */
export type OkpCurve = "Ed25519" | "Ed448" | "X25519" | "X448";

export const OKP_KEY_LENGTH: Readonly<Record<OkpCurve, { private: number; public: number }>> = {
  Ed25519: { private: 32, public: 32 },
  Ed448: { private: 57, public: 57 },
  X25519: { private: 32, public: 32 },
  X448: { private: 56, public: 56 },
};

/** Node requires `x` in a private JWK but derives the public key from `d` (OpenSSL's raw private key import). */
const PLACEHOLDER_X: Readonly<Record<OkpCurve, string>> = {
  Ed25519: base64url(new Uint8Array(32)),
  Ed448: base64url(new Uint8Array(57)),
  X25519: base64url(new Uint8Array(32)),
  X448: base64url(new Uint8Array(56)),
};

export function importOkpPrivate(crv: OkpCurve, raw: Uint8Array): KeyObject {
  if (raw.length !== OKP_KEY_LENGTH[crv].private) {
    throw new RangeError(`${crv} private key must be ${OKP_KEY_LENGTH[crv].private} bytes`);
  }
  return createPrivateKey({
    key: { kty: "OKP", crv, d: base64url(raw), x: PLACEHOLDER_X[crv] },
    format: "jwk",
  });
}

export function importOkpPublic(crv: OkpCurve, raw: Uint8Array): KeyObject {
  if (raw.length !== OKP_KEY_LENGTH[crv].public) {
    throw new RangeError(`${crv} public key must be ${OKP_KEY_LENGTH[crv].public} bytes, got ${raw.length}`);
  }
  return createPublicKey({ key: { kty: "OKP", crv, x: base64url(raw) }, format: "jwk" });
}

/** The raw public key of an OKP private or public KeyObject. */
export function exportOkpPublic(key: KeyObject): Uint8Array {
  return fromBase64url(key.export({ format: "jwk" }).x);
}

/** The raw private key of an OKP private KeyObject. */
export function exportOkpPrivate(key: KeyObject): Uint8Array {
  return fromBase64url(key.export({ format: "jwk" }).d);
}
