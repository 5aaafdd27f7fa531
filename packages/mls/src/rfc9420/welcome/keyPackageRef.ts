import { encodeWith } from "../codec/index.js";
import type { CipherSuite } from "../crypto/index.js";
import { encodeKeyPackage, type KeyPackage } from "../wire/index.js";

/** §5.2 KeyPackageRef: how a Welcome names the key package each EncryptedGroupSecrets is sealed to. */
export function keyPackageRef(suite: CipherSuite, keyPackage: KeyPackage): Uint8Array {
  return suite.refHash("MLS 1.0 KeyPackage Reference", encodeWith(keyPackage, encodeKeyPackage));
}
