import { diffieHellman, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { KemAlgorithm } from "ts-mls/crypto/kem.js";
import { exportOkpPrivate, exportOkpPublic, importOkpPrivate, importOkpPublic } from "./asn1.js";
import { concat, i2osp, leftPad, plain, utf8 } from "./bytes.js";
import {
  CURVES,
  exportEcPrivate,
  exportEcPublic,
  importEcPrivate,
  importEcPublic,
  type NistCurve,
} from "./ec.js";
import type { NodeHashName } from "./hash.js";
import type { KeyObjectCache } from "./keyCache.js";
import { type LabeledKdf, labeledKdf } from "./labeled.js";

export type DhKemAlgorithm = Extract<
  KemAlgorithm,
  | "DHKEM-P256-HKDF-SHA256"
  | "DHKEM-P384-HKDF-SHA384"
  | "DHKEM-P521-HKDF-SHA512"
  | "DHKEM-X25519-HKDF-SHA256"
  | "DHKEM-X448-HKDF-SHA512"
>;

interface KemShape {
  readonly id: number;
  readonly hash: NodeHashName;
  readonly nSecret: number;
  readonly curve: NistCurve | "X25519" | "X448";
}

/** RFC 9180 §7.1 table of DHKEMs. */
const SHAPES: Readonly<Record<DhKemAlgorithm, KemShape>> = {
  "DHKEM-P256-HKDF-SHA256": { id: 0x10, hash: "sha256", nSecret: 32, curve: "P-256" },
  "DHKEM-P384-HKDF-SHA384": { id: 0x11, hash: "sha384", nSecret: 48, curve: "P-384" },
  "DHKEM-P521-HKDF-SHA512": { id: 0x12, hash: "sha512", nSecret: 64, curve: "P-521" },
  "DHKEM-X25519-HKDF-SHA256": { id: 0x20, hash: "sha256", nSecret: 32, curve: "X25519" },
  "DHKEM-X448-HKDF-SHA512": { id: 0x21, hash: "sha512", nSecret: 64, curve: "X448" },
};

export interface KemKeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** A DHKEM (RFC 9180 §4.1) over node:crypto, on serialized keys. */
export interface DhKem {
  readonly id: number;
  generateKeyPair(): KemKeyPair;
  deriveKeyPair(ikm: Uint8Array): KemKeyPair;
  /** Checks and normalizes a serialized private key (P-521 scalars may arrive without leading zeros). */
  checkPrivateKey(sk: Uint8Array): Uint8Array;
  checkPublicKey(pk: Uint8Array): Uint8Array;
  encap(pkR: Uint8Array): { sharedSecret: Uint8Array; enc: Uint8Array };
  decap(enc: Uint8Array, skR: Uint8Array): Uint8Array;
}

export function isDhKem(kem: KemAlgorithm): kem is DhKemAlgorithm {
  return kem in SHAPES;
}

export function makeDhKem(alg: DhKemAlgorithm, cache: KeyObjectCache): DhKem {
  const shape = SHAPES[alg];
  const kdf = labeledKdf(shape.hash, concat(utf8("KEM"), i2osp(shape.id, 2)));
  const curve = shape.curve;
  const keys = curve === "X25519" || curve === "X448" ? okpKeys(curve, kdf) : ecKeys(curve, kdf);

  const priv = (sk: Uint8Array): KeyObject =>
    cache.get(`${curve}-kem-priv`, sk, () => keys.importPrivate(sk));
  const pub = (pk: Uint8Array): KeyObject => cache.get(`${curve}-kem-pub`, pk, () => keys.importPublic(pk));

  const extractAndExpand = (dh: Uint8Array, kemContext: Uint8Array): Uint8Array => {
    const eaePrk = kdf.extract(new Uint8Array(0), "eae_prk", dh);
    return kdf.expand(eaePrk, "shared_secret", kemContext, shape.nSecret);
  };
  const dh = (sk: KeyObject, pk: KeyObject): Uint8Array =>
    plain(diffieHellman({ privateKey: sk, publicKey: pk }));

  return {
    id: shape.id,
    generateKeyPair() {
      const pair = keys.generate();
      return {
        privateKey: keys.exportPrivate(pair.privateKey),
        publicKey: keys.exportPublic(pair.publicKey),
      };
    },
    deriveKeyPair(ikm) {
      const sk = keys.derive(ikm);
      return { privateKey: sk, publicKey: keys.exportPublic(priv(sk)) };
    },
    checkPrivateKey(sk) {
      const normalized = keys.normalizePrivate(sk);
      priv(normalized);
      return normalized;
    },
    checkPublicKey(pk) {
      pub(pk);
      return pk;
    },
    encap(pkR) {
      const recipient = pub(pkR);
      const ephemeral = keys.generate();
      const enc = keys.exportPublic(ephemeral.publicKey);
      return { sharedSecret: extractAndExpand(dh(ephemeral.privateKey, recipient), concat(enc, pkR)), enc };
    },
    decap(enc, skR) {
      const recipient = priv(skR);
      const secret = dh(recipient, keys.importPublic(enc));
      return extractAndExpand(secret, concat(enc, keys.exportPublic(recipient)));
    },
  };
}

interface CurveKeys {
  generate(): { privateKey: KeyObject; publicKey: KeyObject };
  derive(ikm: Uint8Array): Uint8Array;
  normalizePrivate(sk: Uint8Array): Uint8Array;
  importPrivate(sk: Uint8Array): KeyObject;
  importPublic(pk: Uint8Array): KeyObject;
  exportPrivate(key: KeyObject): Uint8Array;
  exportPublic(key: KeyObject): Uint8Array;
}

function okpKeys(curve: "X25519" | "X448", kdf: LabeledKdf): CurveKeys {
  const nSk = curve === "X25519" ? 32 : 56;
  return {
    generate: () => (curve === "X25519" ? generateKeyPairSync("x25519") : generateKeyPairSync("x448")),
    // RFC 9180 §7.1.3: for X25519 and X448 any Nsk bytes are a valid private key.
    derive: (ikm) => kdf.expand(kdf.extract(new Uint8Array(0), "dkp_prk", ikm), "sk", new Uint8Array(0), nSk),
    normalizePrivate: (sk) => sk,
    importPrivate: (sk) => importOkpPrivate(curve, sk),
    importPublic: (pk) => importOkpPublic(curve, pk),
    exportPrivate: (key) => exportOkpPrivate(curve, key),
    exportPublic: (key) => exportOkpPublic(curve, key),
  };
}

function ecKeys(curve: NistCurve, kdf: LabeledKdf): CurveKeys {
  const { size, order } = CURVES[curve];
  // RFC 9180 §7.1.3: the top byte is masked so that candidates are near the order's bit length.
  const bitmask = curve === "P-521" ? 0x01 : 0xff;
  return {
    generate: () => generateKeyPairSync("ec", { namedCurve: curve }),
    derive(ikm) {
      const dkpPrk = kdf.extract(new Uint8Array(0), "dkp_prk", ikm);
      for (let counter = 0; counter < 256; counter++) {
        const bytes = kdf.expand(dkpPrk, "candidate", i2osp(counter, 1), size);
        bytes[0] = (bytes[0] ?? 0) & bitmask;
        const sk = BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
        if (sk !== 0n && sk < order) return bytes;
      }
      throw new RangeError("DeriveKeyPair found no valid scalar");
    },
    normalizePrivate: (sk) => {
      if (sk.length === 0 || sk.length > size) throw new RangeError(`${curve} private key has a bad length`);
      return leftPad(sk, size);
    },
    importPrivate: (sk) => importEcPrivate(curve, sk),
    importPublic: (pk) => {
      if (pk.length !== 2 * size + 1) throw new RangeError(`${curve} KEM public key must be uncompressed`);
      return importEcPublic(curve, pk);
    },
    exportPrivate: (key) => exportEcPrivate(curve, key),
    exportPublic: (key) => exportEcPublic(curve, key),
  };
}
