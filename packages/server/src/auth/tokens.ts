import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A bearer token: 32 random bytes, base64url. Only its SHA-256 is stored. */
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: tokenHash(token) };
}

export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A device is identified by the SHA-256 of its MLS signature key (hex). */
export function deviceIdOf(signatureKey: Uint8Array): string {
  return createHash("sha256").update(signatureKey).digest("hex");
}

/** Compare secrets in constant time; hashing first makes the lengths equal, so not even they leak. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
