import { scrypt } from "node:crypto";
import { type Snowflake, snowflakeBytes } from "../session/snowflake.js";

/** scrypt parameters and salt of DAVE pairwise fingerprints (dave-notes "Verification"). */
const SALT = Buffer.from("24cab17a7af8ec2b82b412b92dab192e", "hex");
const SCRYPT = { N: 16384, r: 8, p: 2, maxmem: 64 * 1024 * 1024 };
const FINGERPRINT_BYTES = 64;

/** BE16(version) ‖ signature public key ‖ BE64(user id): one member's key fingerprint. */
export function keyFingerprint(version: number, signatureKey: Uint8Array, userId: Snowflake): Uint8Array {
  if (!Number.isInteger(version) || version < 0 || version > 0xffff)
    throw new RangeError("bad fingerprint version");
  return new Uint8Array(
    Buffer.concat([Buffer.from([version >> 8, version & 0xff]), signatureKey, snowflakeBytes(userId)]),
  );
}

/**
 * The 64-byte pairwise fingerprint of two members: both key fingerprints sorted bytewise, concatenated, and
 * stretched with scrypt (async: it takes tens of milliseconds).
 */
export function pairwiseFingerprint(
  version: number,
  keyA: Uint8Array,
  userA: Snowflake,
  keyB: Uint8Array,
  userB: Snowflake,
): Promise<Uint8Array> {
  const sides = [keyFingerprint(version, keyA, userA), keyFingerprint(version, keyB, userB)].sort((x, y) =>
    Buffer.compare(x, y),
  );
  return new Promise((resolve, reject) => {
    scrypt(Buffer.concat(sides), SALT, FINGERPRINT_BYTES, SCRYPT, (err, key) =>
      err ? reject(err) : resolve(new Uint8Array(key)),
    );
  });
}
