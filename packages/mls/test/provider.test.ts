import assert from "node:assert/strict";
import { ECDH } from "node:crypto";
import { test } from "node:test";
import {
  CIPHERSUITES,
  type CiphersuiteName,
  defaultCryptoProvider,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  nodeCryptoProvider,
} from "../src/index.js";

const names = Object.keys(CIPHERSUITES).filter(
  (n) => ((CIPHERSUITES as Record<string, number>)[n] as number) <= 7,
);
const text = (s: string) => new TextEncoder().encode(s);

for (const name of names as CiphersuiteName[]) {
  test(`${name}: node:crypto provider agrees with the default provider`, async () => {
    const ours = await getCiphersuiteImpl(getCiphersuiteFromName(name), nodeCryptoProvider);
    const theirs = await getCiphersuiteImpl(getCiphersuiteFromName(name), defaultCryptoProvider);
    const data = text("parley");

    assert.deepEqual(await ours.hash.digest(data), await theirs.hash.digest(data));
    const key = ours.rng.randomBytes(32);
    const mac = await ours.hash.mac(key, data);
    assert.deepEqual(mac, await theirs.hash.mac(key, data));
    assert.equal(await ours.hash.verifyMac(key, mac, data), true);
    assert.equal(await ours.hash.verifyMac(key, mac.subarray(1), data), false);
    const prk = await ours.kdf.extract(new Uint8Array(), data);
    assert.deepEqual(prk, await theirs.kdf.extract(new Uint8Array(), data));
    assert.deepEqual(await ours.kdf.expand(prk, data, 100), await theirs.kdf.expand(prk, data, 100));

    // Signatures verify across providers, and garbage never throws.
    const mine = await ours.signature.keygen();
    const sig = await ours.signature.sign(mine.signKey, data);
    assert.equal(await theirs.signature.verify(mine.publicKey, data, sig), true);
    assert.equal(await ours.signature.verify(mine.publicKey, data, sig), true);
    assert.equal(await ours.signature.verify(mine.publicKey, text("other"), sig), false);
    assert.equal(await ours.signature.verify(mine.publicKey, data, sig.subarray(2)), false);
    assert.equal(await ours.signature.verify(new Uint8Array(3), data, sig), false);
    const other = await theirs.signature.keygen();
    assert.equal(
      await ours.signature.verify(other.publicKey, data, await theirs.signature.sign(other.signKey, data)),
      true,
    );
    assert.equal(
      await theirs.signature.verify(other.publicKey, data, await ours.signature.sign(other.signKey, data)),
      true,
    );

    // HPKE both ways, the exporter, and tamper detection.
    const recipient = await ours.hpke.generateKeyPair();
    const pub = await ours.hpke.exportPublicKey(recipient.publicKey);
    const priv = await ours.hpke.exportPrivateKey(recipient.privateKey);
    const sealed = await theirs.hpke.seal(
      await theirs.hpke.importPublicKey(pub),
      data,
      text("info"),
      text("aad"),
    );
    const opened = await ours.hpke.open(
      recipient.privateKey,
      sealed.enc,
      sealed.ct,
      text("info"),
      text("aad"),
    );
    assert.deepEqual(opened, data);
    const back = await ours.hpke.seal(await ours.hpke.importPublicKey(pub), data, text("info"));
    assert.deepEqual(
      await theirs.hpke.open(await theirs.hpke.importPrivateKey(priv), back.enc, back.ct, text("info")),
      data,
    );
    const tampered = back.ct.slice();
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    await assert.rejects(ours.hpke.open(recipient.privateKey, back.enc, tampered, text("info")));
    await assert.rejects(ours.hpke.open(recipient.privateKey, back.enc.subarray(1), back.ct, text("info")));
    const exported = await ours.hpke.exportSecret(recipient.publicKey, text("ctx"), 42, text("info"));
    assert.deepEqual(
      await theirs.hpke.importSecret(
        await theirs.hpke.importPrivateKey(priv),
        text("ctx"),
        exported.enc,
        42,
        text("info"),
      ),
      exported.secret,
    );
    const ikm = ours.rng.randomBytes(64);
    const derived = await ours.hpke.deriveKeyPair(ikm);
    const theirDerived = await theirs.hpke.deriveKeyPair(ikm);
    assert.deepEqual(
      await ours.hpke.exportPublicKey(derived.publicKey),
      await theirs.hpke.exportPublicKey(theirDerived.publicKey),
    );
    await assert.rejects(ours.hpke.importPublicKey(new Uint8Array(5)));
  });
}

test("ECDSA public keys are uncompressed, and compressed ones from other providers verify", async () => {
  const ours = await getCiphersuiteImpl(
    getCiphersuiteFromName("MLS_128_DHKEMP256_AES128GCM_SHA256_P256"),
    nodeCryptoProvider,
  );
  const pair = await ours.signature.keygen();
  assert.equal(pair.publicKey.length, 65);
  assert.equal(pair.publicKey[0], 4);
  const compressed = ECDH.convertKey(
    pair.publicKey,
    "prime256v1",
    undefined,
    undefined,
    "compressed",
  ) as Buffer;
  const sig = await ours.signature.sign(pair.signKey, text("x"));
  assert.equal(await ours.signature.verify(compressed, text("x"), sig), true);
});
