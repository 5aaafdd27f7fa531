import type { Reader, Writer } from "../codec/index.js";

/** §7.2: a key package's validity window, in seconds since the Unix epoch. */
export interface Lifetime {
  readonly notBefore: bigint;
  readonly notAfter: bigint;
}

export function decodeLifetime(r: Reader): Lifetime {
  return { notBefore: r.uint64("Lifetime.not_before"), notAfter: r.uint64("Lifetime.not_after") };
}

export function encodeLifetime(w: Writer, l: Lifetime): void {
  w.uint64(l.notBefore);
  w.uint64(l.notAfter);
}
