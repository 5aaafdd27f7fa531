import { generateKeyPairSync } from "node:crypto";
import { generateDisplayableCode as displayableCode } from "../verification/displayableCode.js";
import { keyFingerprint, pairwiseFingerprint } from "../verification/fingerprint.js";
import { bufferArg, snowflakeArg, stringArg, u16Arg, u32Arg } from "./args.js";
import { daveyError } from "./errors.js";
import { asBuffer, type SigningKeyPair } from "./types.js";

/** davey's only key fingerprint format. */
const FINGERPRINT_VERSION = 0;
const MAX_GROUP_SIZE = 8;

/**
 * Generate a displayable code.
 * @see https://daveprotocol.com/#displayable-codes
 */
export function generateDisplayableCode(data: Uint8Array, desiredLength: number, groupSize: number): string {
  const bytes = bufferArg(data);
  const length = u32Arg(desiredLength);
  const group = u32Arg(groupSize);
  const fail = (reason: string) => daveyError(`failed to generate displayable code: ${reason}`, "InvalidArg");
  if (bytes.length < length) throw fail("DataLessThanDesiredLength");
  if (group === 0 || length % group !== 0) throw fail("DesiredLengthNotMultipleOfGroupSize");
  if (group > MAX_GROUP_SIZE) throw fail("GroupSizeGreaterThanMaxGroupSize");
  return displayableCode(bytes, length, group);
}

/** The reason davey gives for a key fingerprint it will not make, if any. */
function fingerprintRefusal(version: number, key: Uint8Array): string | undefined {
  if (version !== FINGERPRINT_VERSION) return "UnsupportedFormatVersion";
  if (key.length === 0) return "KeyIsEmpty";
  return undefined;
}

/**
 * Generate a key fingerprint.
 * @see https://daveprotocol.com/#verification-fingerprint
 */
export function generateKeyFingerprint(version: number, key: Uint8Array, userId: string): Buffer {
  const v = u16Arg(version);
  const bytes = bufferArg(key);
  const id = snowflakeArg(userId, "user id");
  const refusal = fingerprintRefusal(v, bytes);
  if (refusal) throw daveyError(`failed to generate key fingerprint: ${refusal}`, "InvalidArg");
  return asBuffer(keyFingerprint(v, bytes, id));
}

/**
 * Generate a pairwise fingerprint.
 * @see https://daveprotocol.com/#verification-fingerprint
 */
export function generatePairwiseFingerprint(
  version: number,
  localKey: Uint8Array,
  localUserId: string,
  remoteKey: Uint8Array,
  remoteUserId: string,
): Promise<Buffer> {
  // Type errors throw at once; invalid values reject, as davey's async task does.
  const args = [
    u16Arg(version),
    bufferArg(localKey),
    stringArg(localUserId),
    bufferArg(remoteKey),
    stringArg(remoteUserId),
  ] as const;
  return (async () => {
    const [v, local, localId, remote, remoteId] = args;
    const ids = [snowflakeArg(localId, "user id"), snowflakeArg(remoteId, "user id")] as const;
    const refusal = fingerprintRefusal(v, local) ?? fingerprintRefusal(v, remote);
    if (refusal) {
      throw daveyError(
        `failed to generate pairwise fingerprint: GenerateKeyFingerprint(${refusal})`,
        "InvalidArg",
      );
    }
    return asBuffer(await pairwiseFingerprint(v, local, ids[0], remote, ids[1]));
  })();
}

/** Create a P256 signing key pair. */
export function generateP256Keypair(): SigningKeyPair {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const jwk = privateKey.export({ format: "jwk" });
  const part = (value: string | undefined) => Buffer.from(value ?? "", "base64url");
  return { private: part(jwk.d), public: Buffer.concat([Buffer.of(4), part(jwk.x), part(jwk.y)]) };
}
