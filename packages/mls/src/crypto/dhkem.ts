import { createECDH, diffieHellman, ECDH, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { KemAlgorithm } from "ts-mls/crypto/kem.js";
import type { BoundedCache } from "./boundedCache.js";
import { concat, fromBase64url, i2osp, leftPad, plain, utf8 } from "./bytes.js";
import { CURVES, ecdhWith, generateEcKeyPair, type NistCurve } from "./ec.js";
import type { NodeHashName } from "./hash.js";
import { type LabeledKdf, labeledKdf } from "./labeled.js";
import { importOkpPrivate, importOkpPublic } from "./okp.js";

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

/** The Diffie-Hellman group under a DHKEM, on serialized keys (RFC 9180 §4.1 and §7.1). */
interface DhGroup {
  generate(): KemKeyPair;
  derive(ikm: Uint8Array): Uint8Array;
  normalizePrivate(sk: Uint8Array): Uint8Array;
  publicOf(sk: Uint8Array): Uint8Array;
  checkPublic(pk: Uint8Array): void;
  /** DH(skR, enc) for a received ephemeral public key. */
  dh(sk: Uint8Array, enc: Uint8Array): Uint8Array;
  /** A fresh ephemeral key pair's DH with a recipient key, never importing the ephemeral private key. */
  ephemeralDh(pkR: Uint8Array): { dh: Uint8Array; enc: Uint8Array };
}

export function isDhKem(kem: KemAlgorithm): kem is DhKemAlgorithm {
  return kem in SHAPES;
}

export function makeDhKem(alg: DhKemAlgorithm, cache: BoundedCache<KeyObject | ECDH>): DhKem {
  const shape = SHAPES[alg];
  const kdf = labeledKdf(shape.hash, concat(utf8("KEM"), i2osp(shape.id, 2)));
  const curve = shape.curve;
  const group =
    curve === "X25519" || curve === "X448" ? okpGroup(curve, kdf, cache) : ecGroup(curve, kdf, cache);

  const extractAndExpand = (dh: Uint8Array, kemContext: Uint8Array): Uint8Array => {
    const eaePrk = kdf.extract(new Uint8Array(0), "eae_prk", dh);
    return kdf.expand(eaePrk, "shared_secret", kemContext, shape.nSecret);
  };

  return {
    id: shape.id,
    generateKeyPair: () => group.generate(),
    deriveKeyPair(ikm) {
      const sk = group.derive(ikm);
      return { privateKey: sk, publicKey: group.publicOf(sk) };
    },
    checkPrivateKey(sk) {
      const normalized = group.normalizePrivate(sk);
      group.publicOf(normalized);
      return normalized;
    },
    checkPublicKey(pk) {
      group.checkPublic(pk);
      return pk;
    },
    encap(pkR) {
      const { dh, enc } = group.ephemeralDh(pkR);
      return { sharedSecret: extractAndExpand(dh, concat(enc, pkR)), enc };
    },
    decap(enc, skR) {
      const dh = group.dh(skR, enc);
      return extractAndExpand(dh, concat(enc, group.publicOf(skR)));
    },
  };
}

function okpGroup(curve: "X25519" | "X448", kdf: LabeledKdf, cache: BoundedCache<KeyObject | ECDH>): DhGroup {
  const nSk = curve === "X25519" ? 32 : 56;
  const priv = (sk: Uint8Array) =>
    cache.get(`${curve}-priv`, sk, () => importOkpPrivate(curve, sk)) as KeyObject;
  const pub = (pk: Uint8Array) =>
    cache.get(`${curve}-pub`, pk, () => importOkpPublic(curve, pk)) as KeyObject;
  const newPair = () => (curve === "X25519" ? generateKeyPairSync("x25519") : generateKeyPairSync("x448"));
  return {
    generate() {
      const jwk = newPair().privateKey.export({ format: "jwk" });
      return {
        privateKey: fromBase64url(jwk.d),
        publicKey: fromBase64url(jwk.x),
      };
    },
    // RFC 9180 §7.1.3: for X25519 and X448 any Nsk bytes are a valid private key.
    derive: (ikm) => kdf.expand(kdf.extract(new Uint8Array(0), "dkp_prk", ikm), "sk", new Uint8Array(0), nSk),
    normalizePrivate: (sk) => sk,
    publicOf: (sk) => fromBase64url(priv(sk).export({ format: "jwk" }).x),
    checkPublic: (pk) => void pub(pk),
    dh: (sk, enc) => plain(diffieHellman({ privateKey: priv(sk), publicKey: importOkpPublic(curve, enc) })),
    ephemeralDh(pkR) {
      const { privateKey, publicKey } = newPair();
      const dh = plain(diffieHellman({ privateKey, publicKey: pub(pkR) }));
      return { dh, enc: fromBase64url(publicKey.export({ format: "jwk" }).x) };
    },
  };
}

function ecGroup(curve: NistCurve, kdf: LabeledKdf, cache: BoundedCache<KeyObject | ECDH>): DhGroup {
  const { size, order, openssl } = CURVES[curve];
  // RFC 9180 §7.1.3: the top byte is masked so that candidates are near the order's bit length.
  const bitmask = curve === "P-521" ? 0x01 : 0xff;
  const checkPoint = (pk: Uint8Array) => {
    if (pk.length !== 2 * size + 1 || pk[0] !== 4)
      throw new RangeError(`${curve} KEM public key must be uncompressed`);
  };
  const context = (sk: Uint8Array) => cache.get(`${curve}-ecdh`, sk, () => ecdhWith(curve, sk)) as ECDH;
  return {
    generate: () => generateEcKeyPair(curve),
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
    publicOf: (sk) => plain(context(sk).getPublicKey()),
    checkPublic(pk) {
      checkPoint(pk);
      ECDH.convertKey(pk, openssl); // throws unless the point is on the curve
    },
    dh(sk, enc) {
      checkPoint(enc);
      return plain(context(sk).computeSecret(enc));
    },
    ephemeralDh(pkR) {
      checkPoint(pkR);
      const ephemeral = createECDH(openssl);
      const enc = plain(ephemeral.generateKeys());
      return { dh: plain(ephemeral.computeSecret(pkR)), enc };
    },
  };
}
