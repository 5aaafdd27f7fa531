import { ParleyMlsError } from "../../errors.js";
import { decodeAll, encodeWith } from "../codec/index.js";
import type { CipherSuite, HpkeCiphertext } from "../crypto/index.js";
import { decodeGroupSecrets, encodeGroupSecrets, type GroupSecrets, type Welcome } from "../wire/index.js";
import { bytesEqual } from "./bytes.js";

/** §12.4.3.1: find the EncryptedGroupSecrets sealed to our key package and open it with our init key. */
export async function openGroupSecrets(
  suite: CipherSuite,
  welcome: Welcome,
  ref: Uint8Array,
  initPrivateKey: Uint8Array,
): Promise<GroupSecrets> {
  const ours = welcome.secrets.find((s) => bytesEqual(s.newMember, ref));
  if (!ours) throw new ParleyMlsError("invalid", "Welcome has no group secrets for our key package");
  const plaintext = await suite.decryptWithLabel(
    initPrivateKey,
    "Welcome",
    welcome.encryptedGroupInfo,
    ours.encryptedGroupSecrets,
  );
  return decodeAll(plaintext, decodeGroupSecrets, "GroupSecrets");
}

/** The committer's side: seal GroupSecrets to one new member's init key. */
export function sealGroupSecrets(
  suite: CipherSuite,
  initKey: Uint8Array,
  encryptedGroupInfo: Uint8Array,
  secrets: GroupSecrets,
): Promise<HpkeCiphertext> {
  const plaintext = encodeWith(secrets, encodeGroupSecrets);
  return suite.encryptWithLabel(initKey, "Welcome", encryptedGroupInfo, plaintext);
}
