import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeAll } from "../../src/rfc9420/codec/index.js";
import { validateKeyPackage } from "../../src/rfc9420/keyPackage/index.js";
import {
  decodeMlsMessage,
  type KeyPackage,
  LeafNodeSource,
  WireFormat,
} from "../../src/rfc9420/wire/index.js";
import { hex, mlsVectors } from "../vectors/files.js";

function keyPackageOf(bytes: string): KeyPackage {
  const m = decodeAll(hex(bytes), decodeMlsMessage, "MLSMessage");
  assert.equal(m.wireFormat, WireFormat.keyPackage);
  return m.keyPackage;
}

const welcomeKps = mlsVectors<{ key_package: string }[]>("welcome.json").map((v) =>
  keyPackageOf(v.key_package),
);
const NOW = 1_700_000_000n;
const expectOf = (kp: KeyPackage) => ({ version: kp.version, cipherSuite: kp.cipherSuite, now: NOW });

test("every key package of welcome.json is valid (§10.1)", async () => {
  assert.equal(welcomeKps.length, 7);
  for (const kp of welcomeKps) await validateKeyPackage(kp, expectOf(kp));
});

test("every key package of messages.json is valid within its own lifetime", async () => {
  const cases = mlsVectors<{ mls_key_package: string }[]>("messages.json");
  for (const v of cases) {
    const kp = keyPackageOf(v.mls_key_package);
    assert.equal(kp.leafNode.leafNodeSource, LeafNodeSource.keyPackage);
    if (kp.leafNode.leafNodeSource !== LeafNodeSource.keyPackage) continue;
    await validateKeyPackage(kp, { ...expectOf(kp), now: kp.leafNode.lifetime.notBefore });
  }
  assert.equal(cases.length, 300);
});

test("forged key packages are refused naming what was wrong", async () => {
  for (const kp of welcomeKps) {
    const expect = expectOf(kp);
    const signature = kp.signature.slice();
    signature[3]! ^= 1;
    await assert.rejects(
      validateKeyPackage({ ...kp, signature }, expect),
      /key package signature does not verify/,
    );
    const leafSig = kp.leafNode.signature.slice();
    leafSig[3]! ^= 1;
    const badLeaf = { ...kp, leafNode: { ...kp.leafNode, signature: leafSig } };
    await assert.rejects(validateKeyPackage(badLeaf, expect), /leaf node signature does not verify/);
    await assert.rejects(
      validateKeyPackage(kp, { ...expect, cipherSuite: kp.cipherSuite + 1 }),
      /cipher suite/,
    );
    await assert.rejects(validateKeyPackage(kp, { ...expect, version: 2 }), /version/);
    const sameKeys = { ...kp, initKey: kp.leafNode.encryptionKey };
    await assert.rejects(validateKeyPackage(sameKeys, expect), /init_key equals the leaf's encryption_key/);
    const lifetime = { notBefore: NOW - 100n, notAfter: NOW - 1n };
    const expired = { ...kp, leafNode: { ...kp.leafNode, lifetime } } as KeyPackage;
    await assert.rejects(validateKeyPackage(expired, expect), /outside its lifetime/);
    const noCredential = { ...kp.leafNode.capabilities, credentials: [] };
    const uncapable = { ...kp, leafNode: { ...kp.leafNode, capabilities: noCredential } };
    await assert.rejects(validateKeyPackage(uncapable, expect), /credential type/);
  }
});
