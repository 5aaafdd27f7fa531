import type { Reader, Writer } from "../codec/index.js";

/** §7.6 HPKECiphertext: an HPKE encapsulation and the sealed bytes. */
export interface HpkeCiphertext {
  readonly kemOutput: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export function decodeHpkeCiphertext(r: Reader): HpkeCiphertext {
  return {
    kemOutput: r.opaque("HPKECiphertext.kem_output"),
    ciphertext: r.opaque("HPKECiphertext.ciphertext"),
  };
}

export function encodeHpkeCiphertext(w: Writer, c: HpkeCiphertext): void {
  w.opaque(c.kemOutput);
  w.opaque(c.ciphertext);
}
