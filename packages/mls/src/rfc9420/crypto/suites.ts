import { type ECDH, type KeyObject, randomFillSync } from "node:crypto";
import type { HpkeAlgorithm } from "ts-mls/crypto/hpke.js";
import type { SignatureAlgorithm } from "ts-mls/crypto/signature.js";
import { AEAD_KEY_SIZE, AEAD_NONCE_SIZE, type NodeAeadName } from "../../crypto/aead.js";
import { BoundedCache } from "../../crypto/boundedCache.js";
import { type DhKem, type DhKemAlgorithm, makeDhKem } from "../../crypto/dhkem.js";
import { HASH_SIZE, type NodeHashName } from "../../crypto/hash.js";
import { makeHpke } from "../../crypto/hpke.js";
import { makeSignature } from "../../crypto/signature.js";
import { ParleyMlsError } from "../../errors.js";
import type { CipherSuite } from "./cipherSuite.js";
import { labeledOperations } from "./labeled.js";
import { primitives } from "./primitives.js";
import { xwingKem } from "./xwing.js";

type Kem = DhKemAlgorithm | "X-Wing";

interface SuiteShape {
  readonly name: string;
  readonly kem: Kem;
  readonly aead: HpkeAlgorithm["aead"];
  readonly hash: NodeHashName;
  readonly signature: Exclude<SignatureAlgorithm, "ML-DSA-87">;
}

const NODE_AEAD: Readonly<Record<HpkeAlgorithm["aead"], NodeAeadName>> = {
  AES128GCM: "aes-128-gcm",
  AES256GCM: "aes-256-gcm",
  CHACHA20POLY1305: "chacha20-poly1305",
};

const HKDF: Readonly<Record<NodeHashName, HpkeAlgorithm["kdf"]>> = {
  sha256: "HKDF-SHA256",
  sha384: "HKDF-SHA384",
  sha512: "HKDF-SHA512",
};

/**
 * RFC 9420 §17.1's suites 1-7, and the post-quantum hybrid suite of draft-ietf-mls-pq-ciphersuites on X-Wing
 * (id 0x0053 as ts-mls and OpenMLS number it).
 */
const SUITES: ReadonlyMap<number, SuiteShape> = new Map([
  [
    1,
    {
      name: "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519",
      kem: "DHKEM-X25519-HKDF-SHA256",
      aead: "AES128GCM",
      hash: "sha256",
      signature: "Ed25519",
    },
  ],
  [
    2,
    {
      name: "MLS_128_DHKEMP256_AES128GCM_SHA256_P256",
      kem: "DHKEM-P256-HKDF-SHA256",
      aead: "AES128GCM",
      hash: "sha256",
      signature: "P256",
    },
  ],
  [
    3,
    {
      name: "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519",
      kem: "DHKEM-X25519-HKDF-SHA256",
      aead: "CHACHA20POLY1305",
      hash: "sha256",
      signature: "Ed25519",
    },
  ],
  [
    4,
    {
      name: "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448",
      kem: "DHKEM-X448-HKDF-SHA512",
      aead: "AES256GCM",
      hash: "sha512",
      signature: "Ed448",
    },
  ],
  [
    5,
    {
      name: "MLS_256_DHKEMP521_AES256GCM_SHA512_P521",
      kem: "DHKEM-P521-HKDF-SHA512",
      aead: "AES256GCM",
      hash: "sha512",
      signature: "P521",
    },
  ],
  [
    6,
    {
      name: "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448",
      kem: "DHKEM-X448-HKDF-SHA512",
      aead: "CHACHA20POLY1305",
      hash: "sha512",
      signature: "Ed448",
    },
  ],
  [
    7,
    {
      name: "MLS_256_DHKEMP384_AES256GCM_SHA384_P384",
      kem: "DHKEM-P384-HKDF-SHA384",
      aead: "AES256GCM",
      hash: "sha384",
      signature: "P384",
    },
  ],
  [
    0x53,
    {
      name: "MLS_256_XWING_AES256GCM_SHA512_Ed25519",
      kem: "X-Wing",
      aead: "AES256GCM",
      hash: "sha512",
      signature: "Ed25519",
    },
  ],
]);

/** Imported signature and DH keys, shared by every suite. */
const signatureKeys = new BoundedCache<KeyObject>();
const kemKeys = new BoundedCache<KeyObject | ECDH>();
const built = new Map<number, CipherSuite>();

export const CIPHER_SUITE_IDS: readonly number[] = [...SUITES.keys()];

/** The suite with this id; an id this build does not implement is an "unsupported" error. */
export function cipherSuite(id: number): CipherSuite {
  const cached = built.get(id);
  if (cached) return cached;
  const shape = SUITES.get(id);
  if (!shape) throw new ParleyMlsError("unsupported", `cipher suite ${id} is not supported`);
  const suite = build(id, shape);
  built.set(id, suite);
  return suite;
}

function build(id: number, shape: SuiteShape): CipherSuite {
  const kem: DhKem = shape.kem === "X-Wing" ? xwingKem : makeDhKem(shape.kem, kemKeys);
  const aead = NODE_AEAD[shape.aead];
  const base = primitives(shape.hash, aead);
  const hpke = makeHpke({ kdf: HKDF[shape.hash], aead: shape.aead }, kem);
  const signature = makeSignature(shape.signature, signatureKeys);
  return {
    id,
    name: shape.name,
    Nh: HASH_SIZE[shape.hash],
    Nk: AEAD_KEY_SIZE[aead],
    Nn: AEAD_NONCE_SIZE,
    ...base,
    ...labeledOperations(base, hpke, signature),
    deriveKeyPair: (ikm) => guard("HPKE DeriveKeyPair", () => kem.deriveKeyPair(ikm)),
    generateKeyPair: () => kem.generateKeyPair(),
    generateSignatureKeyPair: () => signature.keygen(),
    randomBytes: (length) => randomFillSync(new Uint8Array(length)),
  };
}

function guard<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch {
    throw new ParleyMlsError("invalid", `${what} failed`);
  }
}
