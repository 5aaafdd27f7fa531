import assert from "node:assert/strict";
import { test } from "node:test";
import { XWing } from "@hpke/hybridkem-x-wing";
import { decryptWithLabel, encryptWithLabel } from "ts-mls/crypto/hpke.js";
import { ParleyMlsError } from "../../src/errors.js";
import { getCiphersuiteFromName, getCiphersuiteImpl } from "../../src/index.js";
import { CIPHER_SUITE_IDS, cipherSuite } from "../../src/rfc9420/crypto/index.js";
import { xwingKem } from "../../src/rfc9420/crypto/xwing.js";
import { family, hex, toHex } from "../vectors/files.js";

interface CryptoBasics {
  cipher_suite: number;
  ref_hash: { label: string; value: string; out: string };
  expand_with_label: { secret: string; label: string; context: string; length: number; out: string };
  derive_secret: { secret: string; label: string; out: string };
  derive_tree_secret: { secret: string; label: string; generation: number; length: number; out: string };
  sign_with_label: { priv: string; pub: string; content: string; label: string; signature: string };
  encrypt_with_label: {
    priv: string;
    pub: string;
    label: string;
    context: string;
    plaintext: string;
    kem_output: string;
    ciphertext: string;
  };
}

/** EdDSA is deterministic: our signature must equal the vector's byte for byte. */
const EDDSA_SUITES = new Set([1, 3, 4, 6]);

const flip = (b: Uint8Array, i = 0): Uint8Array => {
  const out = b.slice();
  out[i] = (out[i] ?? 0) ^ 1;
  return out;
};

const isInvalid = (err: unknown) => err instanceof ParleyMlsError && err.code === "invalid";

const basics = family<CryptoBasics>("crypto-basics (rfc9420 engine)", "crypto-basics.json", async (v) => {
  const cs = cipherSuite(v.cipher_suite);
  const { ref_hash: r, expand_with_label: e, derive_secret: d, derive_tree_secret: t } = v;
  assert.equal(toHex(cs.refHash(r.label, hex(r.value))), r.out, "ref_hash");
  assert.equal(toHex(cs.expandWithLabel(hex(e.secret), e.label, hex(e.context), e.length)), e.out);
  assert.equal(toHex(cs.deriveSecret(hex(d.secret), d.label)), d.out, "derive_secret");
  assert.equal(toHex(cs.deriveTreeSecret(hex(t.secret), t.label, t.generation, t.length)), t.out);

  const s = v.sign_with_label;
  const [pub, content, sig] = [hex(s.pub), hex(s.content), hex(s.signature)];
  assert.ok(await cs.verifyWithLabel(pub, s.label, content, sig), "verify the vector's signature");
  assert.equal(await cs.verifyWithLabel(pub, `${s.label}!`, content, sig), false, "other label");
  assert.equal(await cs.verifyWithLabel(pub, s.label, flip(content), sig), false, "other content");
  assert.equal(await cs.verifyWithLabel(pub, s.label, content, sig.subarray(1)), false, "cut signature");
  const ours = await cs.signWithLabel(hex(s.priv), s.label, content);
  assert.ok(await cs.verifyWithLabel(pub, s.label, content, ours), "sign then verify");
  if (EDDSA_SUITES.has(v.cipher_suite)) assert.equal(toHex(ours), s.signature, "deterministic signature");

  const h = v.encrypt_with_label;
  const sealed = { kemOutput: hex(h.kem_output), ciphertext: hex(h.ciphertext) };
  const opened = await cs.decryptWithLabel(hex(h.priv), h.label, hex(h.context), sealed);
  assert.equal(toHex(opened), h.plaintext, "decrypt_with_label");
  const again = await cs.encryptWithLabel(hex(h.pub), h.label, hex(h.context), hex(h.plaintext));
  const reopened = await cs.decryptWithLabel(hex(h.priv), h.label, hex(h.context), again);
  assert.equal(toHex(reopened), h.plaintext, "encrypt then decrypt");
  await assert.rejects(cs.decryptWithLabel(hex(h.priv), `${h.label}!`, hex(h.context), sealed), isInvalid);
  const tampered = { ...sealed, ciphertext: flip(sealed.ciphertext) };
  await assert.rejects(cs.decryptWithLabel(hex(h.priv), h.label, hex(h.context), tampered), isInvalid);
});

test(basics.title, basics.run);

test("every suite: sizes, fresh keys, AEAD and DeriveKeyPair", async () => {
  assert.deepEqual(CIPHER_SUITE_IDS, [1, 2, 3, 4, 5, 6, 7, 0x53]);
  for (const id of CIPHER_SUITE_IDS) {
    const cs = cipherSuite(id);
    assert.equal(cs.hash(new Uint8Array(0)).length, cs.Nh, `suite ${id}: Nh`);
    const ikm = new Uint8Array(cs.Nh).fill(7);
    const derived = cs.deriveKeyPair(ikm);
    assert.deepEqual(cs.deriveKeyPair(ikm), derived, `suite ${id}: DeriveKeyPair is deterministic`);
    const fresh = cs.generateKeyPair();
    const box = await cs.encryptWithLabel(fresh.publicKey, "test", Uint8Array.of(1), Uint8Array.of(2, 3));
    assert.deepEqual(
      await cs.decryptWithLabel(fresh.privateKey, "test", Uint8Array.of(1), box),
      Uint8Array.of(2, 3),
    );
    await assert.rejects(cs.decryptWithLabel(derived.privateKey, "test", Uint8Array.of(1), box), isInvalid);

    const signer = await cs.generateSignatureKeyPair();
    const sig = await cs.signWithLabel(signer.signKey, "L", Uint8Array.of(9));
    assert.ok(
      await cs.verifyWithLabel(signer.publicKey, "L", Uint8Array.of(9), sig),
      `suite ${id}: signature`,
    );

    const [key, nonce] = [cs.randomBytes(cs.Nk), cs.randomBytes(cs.Nn)];
    const ct = cs.seal(key, nonce, Uint8Array.of(1), Uint8Array.of(4, 5, 6));
    assert.deepEqual(cs.open(key, nonce, Uint8Array.of(1), ct), Uint8Array.of(4, 5, 6));
    assert.throws(() => cs.open(key, nonce, Uint8Array.of(2), ct), isInvalid);
    assert.throws(() => cs.open(key, nonce.subarray(1), Uint8Array.of(1), ct), ParleyMlsError);
    assert.throws(() => cs.expandWithLabel(key, "x", new Uint8Array(0), 0x10000), ParleyMlsError);
  }
  assert.throws(
    () => cipherSuite(0x99),
    (err) => err instanceof ParleyMlsError && err.code === "unsupported",
  );
});

test("X-Wing suite: round trip, untouched public key, and the same KEM as @hpke/hybridkem-x-wing", async () => {
  const cs = cipherSuite(0x53);
  const ikm = new Uint8Array(64).map((_, i) => i);
  const pair = cs.deriveKeyPair(ikm);
  assert.equal(pair.privateKey.length, 32);
  assert.equal(pair.publicKey.length, 1216);
  const publicCopy = pair.publicKey.slice();
  const box = await cs.encryptWithLabel(pair.publicKey, "Welcome", Uint8Array.of(1, 2), Uint8Array.of(42));
  assert.deepEqual(pair.publicKey, publicCopy, "encapsulation leaves the caller's public key intact");
  assert.equal(box.kemOutput.length, 1120);
  assert.deepEqual(
    await cs.decryptWithLabel(pair.privateKey, "Welcome", Uint8Array.of(1, 2), box),
    Uint8Array.of(42),
  );
  await assert.rejects(cs.decryptWithLabel(pair.privateKey, "Welcome", Uint8Array.of(1), box), isInvalid);
  await assert.rejects(
    cs.encryptWithLabel(pair.publicKey.subarray(1), "Welcome", Uint8Array.of(), Uint8Array.of()),
    isInvalid,
  );

  const theirs = new XWing();
  const theirPair = await theirs.deriveKeyPair(ikm.buffer);
  const theirPublic = new Uint8Array(await theirs.serializePublicKey(theirPair.publicKey));
  assert.equal(toHex(theirPublic), toHex(pair.publicKey), "DeriveKeyPair agrees");
  const { sharedSecret, enc } = xwingKem.encap(pair.publicKey);
  const decapped = await theirs.decap({ enc: enc.slice().buffer, recipientKey: theirPair });
  assert.equal(toHex(new Uint8Array(decapped)), toHex(sharedSecret), "shared secret agrees");
});

test("X-Wing suite interoperates with ts-mls's suite 0x53", async () => {
  const cs = cipherSuite(0x53);
  const ts = await getCiphersuiteImpl(getCiphersuiteFromName("MLS_256_XWING_AES256GCM_SHA512_Ed25519"));
  const ikm = new Uint8Array(64).map((_, i) => 255 - i);
  const theirs = await ts.hpke.deriveKeyPair(ikm);
  const ours = cs.deriveKeyPair(ikm);
  assert.equal(toHex(await ts.hpke.exportPublicKey(theirs.publicKey)), toHex(ours.publicKey));
  assert.equal(toHex(await ts.hpke.exportPrivateKey(theirs.privateKey)), toHex(ours.privateKey));
  const context = Uint8Array.of(1);
  const box = await cs.encryptWithLabel(ours.publicKey, "Welcome", context, Uint8Array.of(42));
  const opened = await decryptWithLabel(
    theirs.privateKey,
    "Welcome",
    context,
    box.kemOutput,
    box.ciphertext,
    ts.hpke,
  );
  assert.deepEqual(opened, Uint8Array.of(42), "ts-mls opens ours");
  const sealed = await encryptWithLabel(theirs.publicKey, "Welcome", context, Uint8Array.of(43), ts.hpke);
  const back = await cs.decryptWithLabel(ours.privateKey, "Welcome", context, {
    kemOutput: sealed.enc,
    ciphertext: sealed.ct,
  });
  assert.deepEqual(back, Uint8Array.of(43), "we open ts-mls's");
});
