import type { MemberCredential } from "@parley/mls";

/** Whether a credential is exactly the basic identity `username/deviceId` a Parley device issues for itself. */
export function namesDevice(
  credential: MemberCredential,
  username: string | undefined,
  deviceId: string,
): boolean {
  if (credential.type !== "basic" || username === undefined) return false;
  return Buffer.from(credential.identity).equals(Buffer.from(`${username}/${deviceId}`));
}
