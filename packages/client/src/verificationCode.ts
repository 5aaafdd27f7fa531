import { createHash } from "node:crypto";
import { utf8 } from "./bytes.js";

/**
 * A displayable code for one device: 30 digits in six groups of five, from SHA-512 over a label, the username and
 * the device's signature key. Two people comparing codes out of band check that the key the group uses for that
 * device is the one the device holds (the server cannot substitute keys unnoticed).
 */
export function verificationCode(username: string, signatureKey: Uint8Array): string {
  const digest = createHash("sha512")
    .update(utf8("parley verification code v1\0"))
    .update(utf8(`${username}\0`))
    .update(signatureKey)
    .digest();
  const groups: string[] = [];
  for (let i = 0; i < 6; i++) groups.push(String(digest.readUIntBE(i * 5, 5) % 100_000).padStart(5, "0"));
  return groups.join(" ");
}
