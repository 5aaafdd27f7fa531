import {
  createKeyPackage,
  generateSignatureKeyPair,
  type KeyPackageBundle,
  type MlsSuite,
  type SignatureKeyPair,
} from "../src/index.js";

/** A test client: an identity, a signature key pair, and a way to mint key packages. */
export interface TestClient {
  readonly name: string;
  readonly identity: Uint8Array;
  readonly suite: MlsSuite;
  readonly keys: SignatureKeyPair;
  keyPackage(): Promise<KeyPackageBundle>;
}

export async function testClient(suite: MlsSuite, name: string): Promise<TestClient> {
  const keys = await generateSignatureKeyPair(suite);
  const identity = new TextEncoder().encode(name);
  return {
    name,
    identity,
    suite,
    keys,
    keyPackage: () => createKeyPackage(suite, { identity, signatureKeyPair: keys }),
  };
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);
