export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** A stable map key for a public key. */
export const keyOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");
