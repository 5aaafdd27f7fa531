import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { concat, fromHex } from "./bytes.js";

/**
 * DER wrappers for raw RFC 8032 / RFC 7748 keys: node:crypto imports Edwards and Montgomery keys only as
 * PKCS#8 or SPKI, and for these algorithms both are a fixed prefix followed by the raw key.
 */
export type OkpCurve = "Ed25519" | "Ed448" | "X25519" | "X448";

interface OkpShape {
  readonly privatePrefix: Uint8Array;
  readonly publicPrefix: Uint8Array;
  readonly privateLength: number;
  readonly publicLength: number;
}

export const OKP: Readonly<Record<OkpCurve, OkpShape>> = {
  Ed25519: {
    privatePrefix: fromHex("302e020100300506032b657004220420"),
    publicPrefix: fromHex("302a300506032b6570032100"),
    privateLength: 32,
    publicLength: 32,
  },
  Ed448: {
    privatePrefix: fromHex("3047020100300506032b6571043b0439"),
    publicPrefix: fromHex("3043300506032b6571033a00"),
    privateLength: 57,
    publicLength: 57,
  },
  X25519: {
    privatePrefix: fromHex("302e020100300506032b656e04220420"),
    publicPrefix: fromHex("302a300506032b656e032100"),
    privateLength: 32,
    publicLength: 32,
  },
  X448: {
    privatePrefix: fromHex("3046020100300506032b656f043a0438"),
    publicPrefix: fromHex("3042300506032b656f033900"),
    privateLength: 56,
    publicLength: 56,
  },
};

export function importOkpPrivate(curve: OkpCurve, raw: Uint8Array): KeyObject {
  const shape = OKP[curve];
  if (raw.length !== shape.privateLength) {
    throw new RangeError(`${curve} private key must be ${shape.privateLength} bytes`);
  }
  return createPrivateKey({
    key: Buffer.from(concat(shape.privatePrefix, raw)),
    format: "der",
    type: "pkcs8",
  });
}

export function importOkpPublic(curve: OkpCurve, raw: Uint8Array): KeyObject {
  const shape = OKP[curve];
  if (raw.length !== shape.publicLength) {
    throw new RangeError(`${curve} public key must be ${shape.publicLength} bytes, got ${raw.length}`);
  }
  return createPublicKey({ key: Buffer.from(concat(shape.publicPrefix, raw)), format: "der", type: "spki" });
}

/** The raw public key of an OKP private or public KeyObject. */
export function exportOkpPublic(curve: OkpCurve, key: KeyObject): Uint8Array {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  const spki = pub.export({ format: "der", type: "spki" });
  return new Uint8Array(spki.subarray(spki.length - OKP[curve].publicLength));
}

/** The raw private key of an OKP private KeyObject. */
export function exportOkpPrivate(curve: OkpCurve, key: KeyObject): Uint8Array {
  const pkcs8 = key.export({ format: "der", type: "pkcs8" });
  return new Uint8Array(pkcs8.subarray(pkcs8.length - OKP[curve].privateLength));
}
