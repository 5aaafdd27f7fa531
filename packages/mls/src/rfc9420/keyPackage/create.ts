import { encodeWith } from "../codec/index.js";
import type { CipherSuite, HpkeKeyPair, SignatureKeyPair } from "../crypto/index.js";
import {
  type Capabilities,
  type Credential,
  type Extension,
  encodeKeyPackageTbs,
  encodeLeafNodeTbs,
  type KeyPackage,
  LeafNodeSource,
  type Lifetime,
} from "../wire/index.js";

export interface KeyPackageOptions {
  readonly credential: Credential;
  readonly signatureKeyPair: SignatureKeyPair;
  readonly capabilities: Capabilities;
  readonly lifetime: Lifetime;
  readonly leafExtensions?: readonly Extension[];
  readonly extensions?: readonly Extension[];
}

/** A key package and the private keys its owner keeps: the init key (Welcome) and the leaf's encryption key. */
export interface KeyPackageBundle {
  readonly keyPackage: KeyPackage;
  readonly initKeyPair: HpkeKeyPair;
  readonly encryptionKeyPair: HpkeKeyPair;
}

/** §10: a fresh key package with distinct init and encryption keys, its leaf and itself signed. */
export async function createKeyPackage(suite: CipherSuite, o: KeyPackageOptions): Promise<KeyPackageBundle> {
  const initKeyPair = suite.generateKeyPair();
  const encryptionKeyPair = suite.generateKeyPair();
  const leafContent = {
    encryptionKey: encryptionKeyPair.publicKey,
    signatureKey: o.signatureKeyPair.publicKey,
    credential: o.credential,
    capabilities: o.capabilities,
    leafNodeSource: LeafNodeSource.keyPackage,
    lifetime: o.lifetime,
    extensions: o.leafExtensions ?? [],
  } as const;
  const leafTbs = encodeWith(leafContent, (w, leaf) => encodeLeafNodeTbs(w, leaf));
  const leafNode = {
    ...leafContent,
    signature: await suite.signWithLabel(o.signatureKeyPair.signKey, "LeafNodeTBS", leafTbs),
  };
  const tbs = {
    version: 1,
    cipherSuite: suite.id,
    initKey: initKeyPair.publicKey,
    leafNode,
    extensions: o.extensions ?? [],
  };
  const signature = await suite.signWithLabel(
    o.signatureKeyPair.signKey,
    "KeyPackageTBS",
    encodeWith(tbs, encodeKeyPackageTbs),
  );
  return { keyPackage: { ...tbs, signature }, initKeyPair, encryptionKeyPair };
}
