import { createECDH, createPrivateKey, createPublicKey, ECDH, type KeyObject } from "node:crypto";
import { base64url, leftPad, plain } from "./bytes.js";

/** The NIST curves of MLS: node's curve name, JWK name, and field/scalar size in bytes. */
export type NistCurve = "P-256" | "P-384" | "P-521";

interface CurveShape {
  readonly openssl: string;
  readonly size: number;
  /** Group order n, for DeriveKeyPair's rejection sampling (RFC 9180 §7.1.3). */
  readonly order: bigint;
}

export const CURVES: Readonly<Record<NistCurve, CurveShape>> = {
  "P-256": {
    openssl: "prime256v1",
    size: 32,
    order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  "P-384": {
    openssl: "secp384r1",
    size: 48,
    order:
      0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  "P-521": {
    openssl: "secp521r1",
    size: 66,
    order:
      0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
};

/**
 * Imports a raw scalar as a private KeyObject. node imports EC private keys only with their public point, so
 * the point is computed once here; callers cache the result.
 */
export function importEcPrivate(curve: NistCurve, scalar: Uint8Array): KeyObject {
  const { size } = CURVES[curve];
  const point = ecdhWith(curve, scalar).getPublicKey();
  const d = leftPad(scalar, size);
  return createPrivateKey({
    key: {
      kty: "EC",
      crv: curve,
      d: base64url(d),
      x: base64url(point.subarray(1, 1 + size)),
      y: base64url(point.subarray(1 + size)),
    },
    format: "jwk",
  });
}

/** Imports an uncompressed (or, for signature keys made by other providers, compressed) SEC1 point. */
export function importEcPublic(curve: NistCurve, point: Uint8Array): KeyObject {
  const { openssl, size } = CURVES[curve];
  let uncompressed: Uint8Array = point;
  if (point.length === size + 1 && (point[0] === 2 || point[0] === 3)) {
    uncompressed = ECDH.convertKey(point, openssl, undefined, undefined, "uncompressed") as Buffer;
  }
  if (uncompressed.length !== 2 * size + 1 || uncompressed[0] !== 4) {
    throw new RangeError(`${curve} public key must be an uncompressed point of ${2 * size + 1} bytes`);
  }
  return createPublicKey({
    key: {
      kty: "EC",
      crv: curve,
      x: base64url(uncompressed.subarray(1, 1 + size)),
      y: base64url(uncompressed.subarray(1 + size)),
    },
    format: "jwk",
  });
}

/** An ECDH context holding `scalar`: raw-point Diffie-Hellman without KeyObject imports. */
export function ecdhWith(curve: NistCurve, scalar: Uint8Array): ECDH {
  const { openssl, size } = CURVES[curve];
  if (scalar.length === 0 || scalar.length > size)
    throw new RangeError(`${curve} private key has a bad length`);
  const ecdh = createECDH(openssl);
  ecdh.setPrivateKey(leftPad(scalar, size));
  return ecdh;
}

/** A fresh key pair as a fixed-width scalar and an uncompressed point. */
export function generateEcKeyPair(curve: NistCurve): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const { openssl, size } = CURVES[curve];
  const ecdh = createECDH(openssl);
  const publicKey = plain(ecdh.generateKeys());
  return { privateKey: leftPad(plain(ecdh.getPrivateKey()), size), publicKey };
}
