import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeAll, encodeWith } from "../../src/rfc9420/codec/index.js";
import { cipherSuite } from "../../src/rfc9420/crypto/index.js";
import { createKeyPackage, validateKeyPackage } from "../../src/rfc9420/keyPackage/index.js";
import { keyPackageRef } from "../../src/rfc9420/welcome/index.js";
import { CredentialType, decodeKeyPackage, encodeKeyPackage } from "../../src/rfc9420/wire/index.js";

const SUITES = [1, 2, 3, 4, 5, 6, 7];

async function created(id: number) {
  const suite = cipherSuite(id);
  return createKeyPackage(suite, {
    credential: { credentialType: CredentialType.basic, identity: new TextEncoder().encode("alice") },
    signatureKeyPair: await suite.generateSignatureKeyPair(),
    capabilities: { versions: [1], cipherSuites: [id], extensions: [], proposals: [], credentials: [1] },
    lifetime: { notBefore: 100n, notAfter: 200n },
  });
}

test("a created key package validates, round-trips and has distinct init and encryption keys (every suite)", async () => {
  for (const id of SUITES) {
    const { keyPackage, initKeyPair, encryptionKeyPair } = await created(id);
    await validateKeyPackage(keyPackage, { version: 1, cipherSuite: id, now: 150n });
    await assert.rejects(
      validateKeyPackage(keyPackage, { version: 1, cipherSuite: id, now: 201n }),
      /lifetime/,
    );
    assert.notDeepEqual(initKeyPair.publicKey, encryptionKeyPair.publicKey);
    assert.deepEqual(keyPackage.initKey, initKeyPair.publicKey);
    const bytes = encodeWith(keyPackage, encodeKeyPackage);
    const again = decodeAll(bytes, decodeKeyPackage, "KeyPackage");
    assert.deepEqual(keyPackageRef(cipherSuite(id), again), keyPackageRef(cipherSuite(id), keyPackage));
    assert.equal(keyPackageRef(cipherSuite(id), keyPackage).length, cipherSuite(id).Nh);
  }
});
