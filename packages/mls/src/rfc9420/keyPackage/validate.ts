import { ParleyMlsError } from "../../errors.js";
import { encodeWith } from "../codec/index.js";
import { type CipherSuite, cipherSuite } from "../crypto/index.js";
import { bytesEqual } from "../welcome/bytes.js";
import { encodeKeyPackageTbs, encodeLeafNodeTbs, type KeyPackage, LeafNodeSource } from "../wire/index.js";

/** What a key package is checked against (§10.1): the group's version and suite, and the time now. */
export interface KeyPackageExpectation {
  readonly version: number;
  readonly cipherSuite: number;
  /** Seconds since the Unix epoch. */
  readonly now: bigint;
}

const refuse = (why: string): never => {
  throw new ParleyMlsError("invalid", `key package refused: ${why}`);
};

function checkCapabilities(kp: KeyPackage): void {
  const { capabilities, credential, extensions } = kp.leafNode;
  if (!capabilities.credentials.includes(credential.credentialType))
    refuse(`capabilities do not list its credential type ${credential.credentialType}`);
  for (const e of extensions)
    if (!capabilities.extensions.includes(e.extensionType))
      refuse(`capabilities do not list its leaf extension type ${e.extensionType}`);
}

async function checkSignatures(suite: CipherSuite, kp: KeyPackage): Promise<void> {
  const key = kp.leafNode.signatureKey;
  const leafTbs = encodeWith(kp.leafNode, (w, leaf) => encodeLeafNodeTbs(w, leaf));
  if (!(await suite.verifyWithLabel(key, "LeafNodeTBS", leafTbs, kp.leafNode.signature)))
    refuse("leaf node signature does not verify");
  const tbs = encodeWith(kp, encodeKeyPackageTbs);
  if (!(await suite.verifyWithLabel(key, "KeyPackageTBS", tbs, kp.signature)))
    refuse("key package signature does not verify");
}

/** §10.1: the checks a member makes before adding a key package's owner. */
export async function validateKeyPackage(kp: KeyPackage, expect: KeyPackageExpectation): Promise<void> {
  if (kp.version !== expect.version) refuse(`version ${kp.version}, the group's is ${expect.version}`);
  if (kp.cipherSuite !== expect.cipherSuite)
    refuse(`cipher suite ${kp.cipherSuite}, the group's is ${expect.cipherSuite}`);
  const leaf = kp.leafNode;
  if (leaf.leafNodeSource !== LeafNodeSource.keyPackage) refuse("its leaf node's source is not key_package");
  if (bytesEqual(kp.initKey, leaf.encryptionKey)) refuse("init_key equals the leaf's encryption_key");
  checkCapabilities(kp);
  if (leaf.leafNodeSource === LeafNodeSource.keyPackage) {
    const { notBefore, notAfter } = leaf.lifetime;
    if (expect.now < notBefore || expect.now > notAfter) refuse("outside its lifetime");
  }
  await checkSignatures(cipherSuite(kp.cipherSuite), kp);
}
