import type { Credential as EngineCredential } from "./engine.js";
import type { MlsSuite } from "./suite.js";

/** A member's signature key pair: the device identity that signs its leaf, key packages and messages. */
export interface SignatureKeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
}

/** RFC 9420 §5.3 credential. Parley issues basic credentials; x509 ones from other clients are read. */
export type MemberCredential =
  | { readonly type: "basic"; readonly identity: Uint8Array }
  | { readonly type: "x509"; readonly certificates: readonly Uint8Array[] };

export function generateSignatureKeyPair(suite: MlsSuite): Promise<SignatureKeyPair> {
  return suite.impl.signature.keygen().then(({ publicKey, signKey }) => ({ publicKey, privateKey: signKey }));
}

export function basicCredential(identity: Uint8Array): EngineCredential {
  return { credentialType: "basic", identity };
}

export function fromEngineCredential(c: EngineCredential): MemberCredential {
  return c.credentialType === "basic"
    ? { type: "basic", identity: c.identity }
    : { type: "x509", certificates: c.certificates };
}
