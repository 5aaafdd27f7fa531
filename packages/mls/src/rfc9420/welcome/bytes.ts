/** Byte equality for public values (refs, hashes); secrets are compared with the suite's verifyMac. */
export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
