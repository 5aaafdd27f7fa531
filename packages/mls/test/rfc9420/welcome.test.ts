import assert from "node:assert/strict";
import { test } from "node:test";
import { testRandom } from "@parley/testkit";
import { ParleyMlsError } from "../../src/errors.js";
import { decodeAll } from "../../src/rfc9420/codec/index.js";
import { cipherSuite } from "../../src/rfc9420/crypto/index.js";
import { openWelcome, verifyGroupInfoSignature } from "../../src/rfc9420/welcome/index.js";
import { decodeMlsMessage, type KeyPackage, type Welcome, WireFormat } from "../../src/rfc9420/wire/index.js";
import { family, hex, mlsVectors } from "../vectors/files.js";

interface WelcomeVector {
  cipher_suite: number;
  init_priv: string;
  key_package: string;
  signer_pub: string;
  welcome: string;
}

function keyPackageOf(bytes: string): KeyPackage {
  const m = decodeAll(hex(bytes), decodeMlsMessage, "MLSMessage");
  assert.equal(m.wireFormat, WireFormat.keyPackage);
  return m.keyPackage;
}

function welcomeOf(bytes: Uint8Array): Welcome {
  const m = decodeAll(bytes, decodeMlsMessage, "MLSMessage");
  if (m.wireFormat !== WireFormat.welcome) throw new ParleyMlsError("invalid", "not a Welcome");
  return m.welcome;
}

const vectors = family<WelcomeVector>("welcome", "welcome.json", async (v) => {
  const keyPackage = keyPackageOf(v.key_package);
  const opened = await openWelcome(welcomeOf(hex(v.welcome)), {
    keyPackage,
    initPrivateKey: hex(v.init_priv),
  });
  assert.equal(opened.suite.id, v.cipher_suite);
  assert.equal(opened.groupInfo.groupContext.cipherSuite, v.cipher_suite);
  await verifyGroupInfoSignature(cipherSuite(v.cipher_suite), hex(v.signer_pub), opened.groupInfo);
});

test(vectors.title, () => vectors.run());

test("a Welcome opened with the wrong init key, key package or signer is refused with a typed error", async () => {
  for (const v of mlsVectors<WelcomeVector[]>("welcome.json")) {
    const keyPackage = keyPackageOf(v.key_package);
    const welcome = welcomeOf(hex(v.welcome));
    const wrongKey = hex(v.init_priv);
    wrongKey[5]! ^= 1; // not byte 0: X25519 clamping ignores its low bits
    await assert.rejects(openWelcome(welcome, { keyPackage, initPrivateKey: wrongKey }), ParleyMlsError);
    const otherKp = { ...keyPackage, initKey: keyPackage.leafNode.encryptionKey };
    await assert.rejects(
      openWelcome(welcome, { keyPackage: otherKp, initPrivateKey: hex(v.init_priv) }),
      /no group secrets for our key package/,
    );
    const opened = await openWelcome(welcome, { keyPackage, initPrivateKey: hex(v.init_priv) });
    const forged = { ...opened.groupInfo, signer: opened.groupInfo.signer ^ 1 };
    await assert.rejects(
      verifyGroupInfoSignature(opened.suite, hex(v.signer_pub), forged),
      /GroupInfo signature does not verify/,
    );
  }
});

test("a Welcome mutated by seeded random bytes is refused with a typed error", async (t) => {
  const random = testRandom(t);
  const cases = mlsVectors<WelcomeVector[]>("welcome.json");
  let refused = 0;
  for (let i = 0; i < 300; i++) {
    const v = cases[random.int(cases.length)]!;
    const bytes = Buffer.from(hex(v.welcome));
    const at = random.int(bytes.length);
    bytes[at]! ^= 1 << random.int(8);
    try {
      const welcome = welcomeOf(bytes);
      await openWelcome(welcome, {
        keyPackage: keyPackageOf(v.key_package),
        initPrivateKey: hex(v.init_priv),
      });
      assert.fail(`a bit flip at byte ${at} of a suite ${v.cipher_suite} Welcome was accepted`);
    } catch (err) {
      if (!(err instanceof ParleyMlsError)) throw err;
      refused++;
    }
  }
  assert.equal(refused, 300);
});
