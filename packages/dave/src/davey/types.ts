/** @snazzah/davey's object shapes, field for field. */

/** A signing key pair. */
export interface SigningKeyPair {
  /** The private key of this key pair (the raw 32-byte P-256 scalar). */
  private: Buffer;
  /** The public key of this key pair (the 65-byte uncompressed P-256 point). */
  public: Buffer;
}

export interface ProposalsResult {
  commit?: Buffer;
  welcome?: Buffer;
}

export interface EncryptionStats {
  /** Number of encryption successes */
  successes: number;
  /** Number of encryption failures */
  failures: number;
  /** Total encryption duration in microseconds */
  duration: number;
  /** Total amounts of encryption attempts */
  attempts: number;
  /** Maximum attempts reached at encryption */
  maxAttempts: number;
}

export interface DecryptionStats {
  /** Number of decryption successes */
  successes: number;
  /** Number of decryption failures */
  failures: number;
  /** Total decryption duration in microseconds */
  duration: number;
  /** Total amounts of decryption attempts */
  attempts: number;
  /** Total amounts of packets that passed through */
  passthroughs: number;
}

/** A byte array as davey returns it: a Buffer over the same memory. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
