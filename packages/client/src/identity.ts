import type { Member, MemberCredential } from "@parley/mls";
import { fromUtf8, sha256, toHex, utf8 } from "./bytes.js";

/**
 * A device's MLS identity. The basic credential's identity is `username/deviceId`, where the device id is what
 * the server calls it: the hex SHA-256 of the device's signature key. Binding the id to the key lets every
 * member check that a leaf's credential names the key that signs for it.
 */
export interface DeviceAddress {
  readonly username: string;
  readonly deviceId: string;
}

const USERNAME = /^[A-Za-z0-9_.-]{1,64}$/;
const DEVICE_ID = /^[0-9a-f]{64}$/;

export const deviceIdOf = (signatureKey: Uint8Array): string => toHex(sha256(signatureKey));

export function credentialIdentity(address: DeviceAddress): Uint8Array {
  return utf8(`${address.username}/${address.deviceId}`);
}

export function parseIdentity(identity: Uint8Array): DeviceAddress | undefined {
  let text: string;
  try {
    text = fromUtf8(identity);
  } catch {
    return undefined;
  }
  const slash = text.lastIndexOf("/");
  const username = text.slice(0, slash);
  const deviceId = text.slice(slash + 1);
  return slash > 0 && USERNAME.test(username) && DEVICE_ID.test(deviceId)
    ? { username, deviceId }
    : undefined;
}

/** The authentication-service check (RFC 9420 §5.3.1) every group runs on every leaf it learns about. */
export function validateCredential(credential: MemberCredential, signatureKey: Uint8Array): boolean {
  if (credential.type !== "basic") return false;
  const address = parseIdentity(credential.identity);
  return address !== undefined && address.deviceId === deviceIdOf(signatureKey);
}

export function addressOf(member: Member): DeviceAddress | undefined {
  return member.credential.type === "basic" ? parseIdentity(member.credential.identity) : undefined;
}

export const isValidUsername = (username: string): boolean => USERNAME.test(username);
