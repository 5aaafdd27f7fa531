import assert from "node:assert/strict";
import { createPrivateKey, sign } from "node:crypto";
import { describe, test } from "node:test";
import {
  bindingOf,
  createBinding,
  createKeyPackage,
  DEVICE_BINDING_EXTENSION_TYPE,
  generateIdentityKeyPair,
  generateSignatureKeyPair,
  type IdentityKeyPair,
  inspectKeyPackage,
  loadSuite,
  MlsGroup,
  type MlsSuite,
  verifyBinding,
  verifyKeyPackageSignature,
  writeVarint,
} from "../src/index.js";
import { text } from "./members.js";

const opaque = (b: Uint8Array) => Buffer.concat([writeVarint(b.length), b]);
const b64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");

/** Signs the encoding exactly as the README documents it, independently of the module's own encoder. */
function documentedBinding(identity: IdentityKeyPair, label: string, username: string, key: Uint8Array) {
  const tbs = Buffer.concat([opaque(text(label)), opaque(text(username)), opaque(key)]);
  const privateKey = createPrivateKey({
    key: { kty: "OKP", crv: "Ed25519", d: b64url(identity.privateKey), x: b64url(identity.publicKey) },
    format: "jwk",
  });
  return new Uint8Array(Buffer.concat([opaque(identity.publicKey), opaque(sign(null, tbs, privateKey))]));
}

async function boundDevice(suite: MlsSuite, identity: IdentityKeyPair, username: string) {
  const keys = await generateSignatureKeyPair(suite);
  const binding = createBinding(identity, username, keys.publicKey);
  return {
    keys,
    keyPackage: () =>
      createKeyPackage(suite, {
        identity: text(username),
        signatureKeyPair: keys,
        leafExtensions: [{ type: DEVICE_BINDING_EXTENSION_TYPE, data: binding }],
      }),
  };
}

describe("device bindings", () => {
  const alice = generateIdentityKeyPair();
  const mallory = generateIdentityKeyPair();
  const deviceKey = new Uint8Array(32).fill(7);

  test("a binding verifies for its username and device key, and names the identity key", () => {
    const binding = createBinding(alice, "alice", deviceKey);
    const check = verifyBinding(binding, "alice", deviceKey);
    assert.ok(check.valid);
    assert.deepEqual(check.identityKey, alice.publicKey);
    assert.deepEqual(binding, documentedBinding(alice, "parley device binding v1", "alice", deviceKey));
  });

  test("wrong user, wrong device, another identity key, another label: refused", () => {
    const binding = createBinding(alice, "alice", deviceKey);
    assert.equal(verifyBinding(binding, "bob", deviceKey).valid, false);
    assert.equal(verifyBinding(binding, "Alice", deviceKey).valid, false);
    assert.equal(verifyBinding(binding, "alice", new Uint8Array(32).fill(8)).valid, false);
    const swapped = new Uint8Array(binding);
    swapped.set(mallory.publicKey, 1);
    assert.deepEqual(verifyBinding(swapped, "alice", deviceKey), {
      valid: false,
      reason: "binding signature does not verify",
    });
    const oldLabel = documentedBinding(alice, "parley device binding v0", "alice", deviceKey);
    assert.equal(verifyBinding(oldLabel, "alice", deviceKey).valid, false);
    // Length prefixes keep ("a", "b" ‖ key) apart from ("ab", key).
    const shifted = createBinding(alice, "a", Buffer.concat([text("b"), deviceKey]));
    assert.equal(verifyBinding(shifted, "ab", deviceKey).valid, false);
  });

  test("every flipped bit, every truncation and any trailing byte is refused", () => {
    const binding = createBinding(alice, "alice", deviceKey);
    for (let bit = 0; bit < binding.length * 8; bit++) {
      const forged = new Uint8Array(binding);
      forged[bit >> 3] = (forged[bit >> 3] as number) ^ (1 << (bit & 7));
      assert.equal(verifyBinding(forged, "alice", deviceKey).valid, false, `bit ${bit}`);
    }
    for (let length = 0; length < binding.length; length++) {
      const check = verifyBinding(binding.subarray(0, length), "alice", deviceKey);
      assert.equal(check.valid, false, `length ${length}`);
    }
    const trailing = verifyBinding(Buffer.concat([binding, Uint8Array.of(0)]), "alice", deviceKey);
    assert.deepEqual(trailing, { valid: false, reason: "device binding has 1 trailing bytes" });
    const short = Buffer.concat([opaque(new Uint8Array(31)), opaque(new Uint8Array(64))]);
    assert.deepEqual(verifyBinding(short, "alice", deviceKey), {
      valid: false,
      reason: "identity key is not 32 bytes",
    });
    const zeros = Buffer.concat([opaque(new Uint8Array(32)), opaque(new Uint8Array(64))]);
    assert.equal(verifyBinding(zeros, "alice", deviceKey).valid, false, "all-zero key and signature");
  });

  test("createBinding refuses a key pair whose halves do not match", () => {
    const mixed = { publicKey: mallory.publicKey, privateKey: alice.privateKey };
    assert.throws(() => createBinding(mixed, "alice", deviceKey), { code: "usage" });
    assert.throws(() => createBinding({ ...alice, privateKey: new Uint8Array(31) }, "alice", deviceKey), {
      code: "usage",
    });
  });

  test("bindingOf finds exactly one binding among leaf extensions", () => {
    const data = Uint8Array.of(1);
    const binding = { type: DEVICE_BINDING_EXTENSION_TYPE, data };
    assert.equal(bindingOf([{ type: 0xf000, data: Uint8Array.of(2) }, binding]), data);
    assert.equal(bindingOf([]), undefined);
    assert.equal(bindingOf([binding, binding]), undefined);
  });
});

describe("device bindings in leaves", () => {
  test("travel in the key package, the Welcome's tree, and survive commits with a path", async () => {
    const suite = await loadSuite(1);
    const aliceId = generateIdentityKeyPair();
    const bobId = generateIdentityKeyPair();
    const alice = await boundDevice(suite, aliceId, "alice");
    const bob = await boundDevice(suite, bobId, "bob");

    const aliceKp = await alice.keyPackage();
    const info = inspectKeyPackage(aliceKp.message);
    const binding = bindingOf(info.leafExtensions);
    assert.ok(binding);
    assert.ok(verifyBinding(binding, "alice", info.signatureKey).valid);
    assert.ok(await verifyKeyPackageSignature(aliceKp.message));

    // The binding is under the leaf's signature: changing it breaks the key package.
    const tampered = new Uint8Array(aliceKp.message);
    const at = Buffer.from(tampered).indexOf(Buffer.from(binding));
    tampered[at + 40] = (tampered[at + 40] as number) ^ 1;
    assert.equal(await verifyKeyPackageSignature(tampered), false);

    let a = await MlsGroup.create(suite, aliceKp);
    const bobKp = await bob.keyPackage();
    const added = await a.commit({ add: [bobKp.message] });
    a = added.group;
    assert.ok(added.welcome);
    let b = await MlsGroup.joinFromWelcome(suite, added.welcome, bobKp);
    const identityKeys = (g: MlsGroup) =>
      g.members().map((m) => {
        const name = m.leafIndex === 0 ? "alice" : "bob";
        const check = verifyBinding(bindingOf(m.extensions) ?? new Uint8Array(), name, m.signatureKey);
        return check.valid ? Buffer.from(check.identityKey).toString("hex") : check.reason;
      });
    const expected = [aliceId, bobId].map((k) => Buffer.from(k.publicKey).toString("hex"));
    assert.deepEqual(identityKeys(b), expected, "bob reads both bindings from the Welcome's tree");

    const bobLeafKey = b.members()[1]?.encryptionKey;
    const update = await b.commit({});
    b = update.group;
    const processed = await a.process(update.commit);
    assert.equal(processed.kind, "commit");
    a = processed.group;
    assert.notDeepEqual(a.members()[1]?.encryptionKey, bobLeafKey, "the commit replaced bob's leaf");
    assert.deepEqual(identityKeys(a), expected, "bob's new leaf from the path keeps his binding");
    assert.deepEqual(identityKeys(b), expected);
  });
});
