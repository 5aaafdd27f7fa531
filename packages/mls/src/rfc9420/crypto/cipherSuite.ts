/** An HPKE key pair, serialized as RFC 9180 SerializePublicKey / SerializePrivateKey define. */
export interface HpkeKeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** A signature key pair in the suite's SignatureScheme encoding (RFC 9420 §5.1.2). */
export interface SignatureKeyPair {
  readonly signKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** An HPKE ciphertext: the KEM output and the AEAD ciphertext (RFC 9420 §5.1.3 HPKECiphertext). */
export interface HpkeCiphertext {
  readonly kemOutput: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/**
 * One MLS cipher suite (RFC 9420 §5.1): its sizes, its primitives and the labeled operations built on them.
 * Hashing, key derivation and AEAD are synchronous (they run on every message); signatures and HPKE are
 * asynchronous so that a suite may be backed by an asynchronous implementation.
 *
 * Failures are typed `ParleyMlsError`s: "invalid" for a bad key, tag or ciphertext, "usage" for out-of-range
 * arguments. No error message carries key material.
 */
export interface CipherSuite {
  readonly id: number;
  readonly name: string;
  /** Hash and KDF output size. */
  readonly Nh: number;
  /** AEAD key size. */
  readonly Nk: number;
  /** AEAD nonce size. */
  readonly Nn: number;

  hash(data: Uint8Array): Uint8Array;
  mac(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** Constant-time comparison of `mac` against MAC(key, data). */
  verifyMac(key: Uint8Array, mac: Uint8Array, data: Uint8Array): boolean;
  extract(salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  expand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;

  /** §5.1.3: Expand with a KDFLabel whose label is "MLS 1.0 " + `label`. */
  expandWithLabel(secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array;
  /** §5.1.3: ExpandWithLabel(secret, label, "", Nh). */
  deriveSecret(secret: Uint8Array, label: string): Uint8Array;
  /** §9: ExpandWithLabel(secret, label, uint32 generation, length). */
  deriveTreeSecret(secret: Uint8Array, label: string, generation: number, length: number): Uint8Array;
  /** §5.2: hash of RefHashInput { label, value }. */
  refHash(label: string, value: Uint8Array): Uint8Array;

  /** §5.1.2: sign SignContent { "MLS 1.0 " + label, content }. */
  signWithLabel(signKey: Uint8Array, label: string, content: Uint8Array): Promise<Uint8Array>;
  /** Answers false, never throws, for a malformed key or signature. */
  verifyWithLabel(
    publicKey: Uint8Array,
    label: string,
    content: Uint8Array,
    signature: Uint8Array,
  ): Promise<boolean>;
  generateSignatureKeyPair(): Promise<SignatureKeyPair>;

  /** §5.1.3: HPKE SealBase with info = EncryptContext { "MLS 1.0 " + label, context } and empty AAD. */
  encryptWithLabel(
    publicKey: Uint8Array,
    label: string,
    context: Uint8Array,
    plaintext: Uint8Array,
  ): Promise<HpkeCiphertext>;
  decryptWithLabel(
    privateKey: Uint8Array,
    label: string,
    context: Uint8Array,
    ciphertext: HpkeCiphertext,
  ): Promise<Uint8Array>;
  /** RFC 9180 DeriveKeyPair: the HPKE key pair for a secret (e.g. a path or external secret). */
  deriveKeyPair(ikm: Uint8Array): HpkeKeyPair;
  generateKeyPair(): HpkeKeyPair;

  seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  randomBytes(length: number): Uint8Array;
}
