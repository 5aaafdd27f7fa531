import { generateKeyPairSync, sign, verify } from "node:crypto";
import { exportOkpPrivate, exportOkpPublic, importOkpPrivate, importOkpPublic } from "../crypto/okp.js";
import { ParleyMlsError } from "../errors.js";
import { readVarint, writeVarint } from "../util/varint.js";

/*
 * A device binding ties a device's MLS signature key to an account: the account's long-term Ed25519 identity
 * key signs (label, username, device signature key). It travels as a leaf-node extension of a private-use type
 * (RFC 9420 §13.3), so every member can check any leaf against the identity key it pinned for that username.
 *
 *   struct { opaque identity_key<V>; opaque signature<V>; } DeviceBinding;          // extension_data
 *   struct { opaque label<V>; opaque username<V>; opaque signature_key<V>; } DeviceBindingTBS;
 *
 * `<V>` is RFC 9420's varint length prefix; label is "parley device binding v1", username is UTF-8.
 */

/** The leaf-node extension type of a device binding (private use, 0xF000-0xFFFF). */
export const DEVICE_BINDING_EXTENSION_TYPE = 0xf0b1;
export const DEVICE_BINDING_LABEL = "parley device binding v1";

const ED25519_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;

/** An account's long-term identity key pair (raw Ed25519). Keep `privateKey` secret. */
export interface IdentityKeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
}

export type BindingCheck =
  | { readonly valid: true; readonly identityKey: Uint8Array }
  | { readonly valid: false; readonly reason: string };

export function generateIdentityKeyPair(): IdentityKeyPair {
  const { privateKey } = generateKeyPairSync("ed25519");
  return { publicKey: exportOkpPublic(privateKey), privateKey: exportOkpPrivate(privateKey) };
}

/** The extension_data of a binding of `signatureKey` to `username`, signed by the account's identity key. */
export function createBinding(
  identity: IdentityKeyPair,
  username: string,
  signatureKey: Uint8Array,
): Uint8Array {
  if (identity.publicKey.length !== ED25519_KEY_BYTES || identity.privateKey.length !== ED25519_KEY_BYTES) {
    throw new ParleyMlsError("usage", "an identity key pair is 32-byte raw Ed25519 keys");
  }
  const key = importOkpPrivate("Ed25519", identity.privateKey);
  if (!Buffer.from(exportOkpPublic(key)).equals(Buffer.from(identity.publicKey))) {
    throw new ParleyMlsError("usage", "the identity public key does not belong to its private key");
  }
  const signature = new Uint8Array(sign(null, bindingTbs(username, signatureKey), key));
  return concat(opaque(identity.publicKey), opaque(signature));
}

/** Whether `data` binds `signatureKey` to `username`; on success, the identity key that signed it. */
export function verifyBinding(data: Uint8Array, username: string, signatureKey: Uint8Array): BindingCheck {
  let fields: { identityKey: Uint8Array; signature: Uint8Array };
  try {
    fields = decodeBinding(data);
  } catch (err) {
    return { valid: false, reason: err instanceof ParleyMlsError ? err.message : "undecodable binding" };
  }
  const { identityKey, signature } = fields;
  if (identityKey.length !== ED25519_KEY_BYTES)
    return { valid: false, reason: "identity key is not 32 bytes" };
  if (signature.length !== ED25519_SIGNATURE_BYTES)
    return { valid: false, reason: "binding signature is not 64 bytes" };
  let ok = false;
  try {
    ok = verify(null, bindingTbs(username, signatureKey), importOkpPublic("Ed25519", identityKey), signature);
  } catch {
    ok = false;
  }
  return ok ? { valid: true, identityKey } : { valid: false, reason: "binding signature does not verify" };
}

function decodeBinding(data: Uint8Array): { identityKey: Uint8Array; signature: Uint8Array } {
  const first = readOpaque(data, 0, "device binding identity_key");
  const second = readOpaque(data, first.next, "device binding signature");
  if (second.next !== data.length) {
    throw new ParleyMlsError("malformed", `device binding has ${data.length - second.next} trailing bytes`);
  }
  return { identityKey: first.value, signature: second.value };
}

function bindingTbs(username: string, signatureKey: Uint8Array): Uint8Array {
  const text = new TextEncoder();
  return concat(
    opaque(text.encode(DEVICE_BINDING_LABEL)),
    opaque(text.encode(username)),
    opaque(signatureKey),
  );
}

function readOpaque(bytes: Uint8Array, at: number, what: string): { value: Uint8Array; next: number } {
  const { value: length, next } = readVarint(bytes, at, what);
  if (next + length > bytes.length) throw new ParleyMlsError("truncated", `${what} is cut short`);
  return { value: bytes.subarray(next, next + length), next: next + length };
}

const opaque = (bytes: Uint8Array): Uint8Array => concat(writeVarint(bytes.length), bytes);

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
