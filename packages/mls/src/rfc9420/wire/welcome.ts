import type { Reader, Writer } from "../codec/index.js";
import { decodeHpkeCiphertext, encodeHpkeCiphertext, type HpkeCiphertext } from "./hpkeCiphertext.js";

/** §12.4.3.1 EncryptedGroupSecrets: group secrets sealed to one new member's key package (by its ref). */
export interface EncryptedGroupSecrets {
  readonly newMember: Uint8Array;
  readonly encryptedGroupSecrets: HpkeCiphertext;
}

/** §12.4.3.1 Welcome. */
export interface Welcome {
  readonly cipherSuite: number;
  readonly secrets: readonly EncryptedGroupSecrets[];
  readonly encryptedGroupInfo: Uint8Array;
}

function decodeEncryptedGroupSecrets(r: Reader): EncryptedGroupSecrets {
  return {
    newMember: r.opaque("EncryptedGroupSecrets.new_member"),
    encryptedGroupSecrets: decodeHpkeCiphertext(r),
  };
}

function encodeEncryptedGroupSecrets(w: Writer, s: EncryptedGroupSecrets): void {
  w.opaque(s.newMember);
  encodeHpkeCiphertext(w, s.encryptedGroupSecrets);
}

export function decodeWelcome(r: Reader): Welcome {
  return {
    cipherSuite: r.uint16("Welcome.cipher_suite"),
    secrets: r.vector("Welcome.secrets", decodeEncryptedGroupSecrets),
    encryptedGroupInfo: r.opaque("Welcome.encrypted_group_info"),
  };
}

export function encodeWelcome(w: Writer, m: Welcome): void {
  w.uint16(m.cipherSuite);
  w.vector(m.secrets, encodeEncryptedGroupSecrets);
  w.opaque(m.encryptedGroupInfo);
}
