import { inspectKeyPackage, keyPackageRef, verifyKeyPackageSignature } from "@parley/mls";
import { asGatewayError, VoiceGatewayError } from "./errors.js";
import { DAVE_CIPHERSUITE } from "./externalSender.js";
import { snowflakeToBytes } from "./snowflake.js";

const FOREVER = (1n << 64n) - 1n;

/** A key package the gateway accepted for a pending member. */
export interface ValidKeyPackage {
  /** The bytes as received: proposals carry exactly these. */
  readonly bytes: Uint8Array;
  /** KeyPackageRef: how the commit's Welcome names this member. */
  readonly ref: Uint8Array;
  readonly signatureKey: Uint8Array;
}

/**
 * DAVE's key package validation (protocol.md "Key Packages / Validation"): ciphersuite 2, a basic credential
 * naming the connected user as 8-byte big-endian u64, lifetime 0…2^64−1, and a valid signature.
 */
export async function validateKeyPackage(bytes: Uint8Array, userId: string): Promise<ValidKeyPackage> {
  let info: ReturnType<typeof inspectKeyPackage>;
  try {
    info = inspectKeyPackage(bytes);
  } catch (err) {
    throw asGatewayError(err, "invalid-key-package", "key package does not decode");
  }
  const refuse = (why: string) => new VoiceGatewayError("invalid-key-package", why);
  if (info.version !== "mls10") throw refuse(`key package has MLS version ${info.version}`);
  if (info.cipherSuite !== DAVE_CIPHERSUITE)
    throw refuse(`key package has ciphersuite ${info.cipherSuite}; DAVE uses 2`);
  if (info.credential.type !== "basic") throw refuse("key package credential is not basic");
  if (!Buffer.from(info.credential.identity).equals(snowflakeToBytes(userId))) {
    throw refuse("key package identity is not the connected user's id");
  }
  if (info.lifetime.notBefore !== 0n || info.lifetime.notAfter !== FOREVER) {
    throw refuse("key package lifetime must be 0…2^64−1");
  }
  if (info.signatureKey.length !== 65 || info.signatureKey[0] !== 4) {
    throw refuse("key package signature key is not an uncompressed P-256 point");
  }
  let signed: boolean;
  try {
    signed = await verifyKeyPackageSignature(bytes);
  } catch (err) {
    throw asGatewayError(err, "invalid-key-package", "key package signature does not verify");
  }
  if (!signed) throw refuse("key package signature does not verify");
  return { bytes: bytes.slice(), ref: await keyPackageRef(bytes), signatureKey: info.signatureKey.slice() };
}
