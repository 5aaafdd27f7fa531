import type { Hpke, HpkeAlgorithm, PrivateKey, PublicKey } from "ts-mls/crypto/hpke.js";
import { CryptoError } from "../engine.js";
import { AEAD_KEY_SIZE, AEAD_NONCE_SIZE, aeadOpen, aeadSeal, type NodeAeadName } from "./aead.js";
import { concat, i2osp, utf8 } from "./bytes.js";
import type { DhKem } from "./dhkem.js";
import { HASH_SIZE, type NodeHashName } from "./hash.js";
import { labeledKdf } from "./labeled.js";

const KDF: Readonly<Record<HpkeAlgorithm["kdf"], { id: number; hash: NodeHashName }>> = {
  "HKDF-SHA256": { id: 1, hash: "sha256" },
  "HKDF-SHA384": { id: 2, hash: "sha384" },
  "HKDF-SHA512": { id: 3, hash: "sha512" },
};

const AEAD: Readonly<Record<HpkeAlgorithm["aead"], { id: number; node: NodeAeadName }>> = {
  AES128GCM: { id: 1, node: "aes-128-gcm" },
  AES256GCM: { id: 2, node: "aes-256-gcm" },
  CHACHA20POLY1305: { id: 3, node: "chacha20-poly1305" },
};

const MODE_BASE = 0;

/**
 * HPKE keys as ts-mls sees them. ts-mls types them as WebCrypto `CryptoKey`s but only passes them back to the
 * same provider, so Parley's keys are plain objects holding the serialized key.
 */
class HpkeKey {
  constructor(
    readonly type: "public" | "private",
    readonly bytes: Uint8Array,
  ) {}
}

function keyBytes(key: PublicKey | PrivateKey, type: "public" | "private"): Uint8Array {
  const k = key as unknown;
  if (!(k instanceof HpkeKey) || k.type !== type) throw new CryptoError(`not a ${type} key of this provider`);
  return k.bytes;
}

const asPublic = (bytes: Uint8Array) => new HpkeKey("public", bytes) as unknown as PublicKey;
const asPrivate = (bytes: Uint8Array) => new HpkeKey("private", bytes) as unknown as PrivateKey;

/** Runs `f`, turning any failure (bad key, failed tag check) into the engine's CryptoError. */
function guarded<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof CryptoError) throw err;
    throw new CryptoError(`${what} failed`);
  }
}

/** RFC 9180 HPKE in base mode with single-shot seal/open and the secret exporter, over any byte-keyed KEM. */
export function makeHpke(alg: Pick<HpkeAlgorithm, "kdf" | "aead">, kem: DhKem): Hpke {
  const { id: kdfId, hash } = KDF[alg.kdf];
  const { id: aeadId, node: aead } = AEAD[alg.aead];
  const kdf = labeledKdf(hash, concat(utf8("HPKE"), i2osp(kem.id, 2), i2osp(kdfId, 2), i2osp(aeadId, 2)));
  const nk = AEAD_KEY_SIZE[aead];
  const empty = new Uint8Array(0);
  const pskIdHash = kdf.extract(empty, "psk_id_hash", empty);

  /** KeySchedule (RFC 9180 §5.1) for mode_base with no PSK. */
  const keySchedule = (sharedSecret: Uint8Array, info: Uint8Array) => {
    const context = concat(i2osp(MODE_BASE, 1), pskIdHash, kdf.extract(empty, "info_hash", info));
    const secret = kdf.extract(sharedSecret, "secret", empty);
    return {
      key: kdf.expand(secret, "key", context, nk),
      baseNonce: kdf.expand(secret, "base_nonce", context, AEAD_NONCE_SIZE),
      exporterSecret: kdf.expand(secret, "exp", context, HASH_SIZE[hash]),
    };
  };

  return {
    async seal(publicKey, plaintext, info, aad) {
      const { sharedSecret, enc } = guarded("HPKE encapsulation", () =>
        kem.encap(keyBytes(publicKey, "public")),
      );
      const { key, baseNonce } = keySchedule(sharedSecret, info);
      return { ct: aeadSeal(aead, key, baseNonce, aad ?? empty, plaintext), enc };
    },
    async open(privateKey, kemOutput, ciphertext, info, aad) {
      const sharedSecret = guarded("HPKE decapsulation", () =>
        kem.decap(kemOutput, keyBytes(privateKey, "private")),
      );
      const { key, baseNonce } = keySchedule(sharedSecret, info);
      return aeadOpen(aead, key, baseNonce, aad ?? empty, ciphertext);
    },
    async exportSecret(publicKey, exporterContext, length, info) {
      const { sharedSecret, enc } = guarded("HPKE encapsulation", () =>
        kem.encap(keyBytes(publicKey, "public")),
      );
      const { exporterSecret } = keySchedule(sharedSecret, info);
      return { enc, secret: kdf.expand(exporterSecret, "sec", exporterContext, length) };
    },
    async importSecret(privateKey, exporterContext, kemOutput, length, info) {
      const sharedSecret = guarded("HPKE decapsulation", () =>
        kem.decap(kemOutput, keyBytes(privateKey, "private")),
      );
      const { exporterSecret } = keySchedule(sharedSecret, info);
      return kdf.expand(exporterSecret, "sec", exporterContext, length);
    },
    async importPrivateKey(k) {
      return asPrivate(guarded("HPKE private key import", () => kem.checkPrivateKey(k)));
    },
    async importPublicKey(k) {
      return asPublic(guarded("HPKE public key import", () => kem.checkPublicKey(k)));
    },
    async exportPublicKey(k) {
      return keyBytes(k, "public");
    },
    async exportPrivateKey(k) {
      return keyBytes(k, "private");
    },
    async encryptAead(key, nonce, aad, plaintext) {
      return aeadSeal(aead, key, nonce, aad ?? empty, plaintext);
    },
    async decryptAead(key, nonce, aad, ciphertext) {
      return aeadOpen(aead, key, nonce, aad ?? empty, ciphertext);
    },
    async deriveKeyPair(ikm) {
      const pair = guarded("HPKE DeriveKeyPair", () => kem.deriveKeyPair(ikm));
      return { privateKey: asPrivate(pair.privateKey), publicKey: asPublic(pair.publicKey) };
    },
    async generateKeyPair() {
      const pair = kem.generateKeyPair();
      return { privateKey: asPrivate(pair.privateKey), publicKey: asPublic(pair.publicKey) };
    },
    keyLength: nk,
    nonceLength: AEAD_NONCE_SIZE,
  };
}
