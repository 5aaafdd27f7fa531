import { createHash } from "node:crypto";

/**
 * A contact's safety number: 30 digits in six groups of five, from SHA-512 over a label, the username and the
 * contact's identity keys (sorted, each length-prefixed). Two people who compare it out of band know that the
 * identity keys this device pinned for the contact are the ones the contact holds.
 */
export function safetyNumber(username: string, identityKeys: readonly Uint8Array[]): string {
  const hash = createHash("sha512").update("parley safety number v1\0").update(`${username}\0`);
  const sorted = [...identityKeys].sort((a, b) => Buffer.compare(a, b));
  for (const key of sorted) hash.update(Uint8Array.of(key.length)).update(key);
  const digest = hash.digest();
  const groups: string[] = [];
  for (let i = 0; i < 6; i++) groups.push(String(digest.readUIntBE(i * 5, 5) % 100_000).padStart(5, "0"));
  return groups.join(" ");
}
