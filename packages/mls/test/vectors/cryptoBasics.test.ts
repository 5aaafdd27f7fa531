import assert from "node:assert/strict";
import { test } from "node:test";
import { refhash } from "ts-mls/crypto/hash.js";
import { decryptWithLabel, encryptWithLabel } from "ts-mls/crypto/hpke.js";
import { deriveSecret, deriveTreeSecret, expandWithLabel } from "ts-mls/crypto/kdf.js";
import { signWithLabel, verifyWithLabel } from "ts-mls/crypto/signature.js";
import { family, hex, suiteImpl, toHex } from "./files.js";

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

const crypto = family<CryptoBasics>("crypto-basics", "crypto-basics.json", async (v) => {
  const cs = await suiteImpl(v.cipher_suite);
  const { ref_hash: r, expand_with_label: e, derive_secret: d, derive_tree_secret: t } = v;
  assert.equal(toHex(await refhash(r.label, hex(r.value), cs.hash)), r.out, "ref_hash");
  assert.equal(toHex(await expandWithLabel(hex(e.secret), e.label, hex(e.context), e.length, cs.kdf)), e.out);
  assert.equal(toHex(await deriveSecret(hex(d.secret), d.label, cs.kdf)), d.out, "derive_secret");
  assert.equal(
    toHex(await deriveTreeSecret(hex(t.secret), t.label, t.generation, t.length, cs.kdf)),
    t.out,
    "derive_tree_secret",
  );

  const s = v.sign_with_label;
  assert.ok(
    await verifyWithLabel(hex(s.pub), s.label, hex(s.content), hex(s.signature), cs.signature),
    "verify",
  );
  const ours = await signWithLabel(hex(s.priv), s.label, hex(s.content), cs.signature);
  assert.ok(
    await verifyWithLabel(hex(s.pub), s.label, hex(s.content), ours, cs.signature),
    "sign then verify",
  );

  const h = v.encrypt_with_label;
  const priv = await cs.hpke.importPrivateKey(hex(h.priv));
  const opened = await decryptWithLabel(
    priv,
    h.label,
    hex(h.context),
    hex(h.kem_output),
    hex(h.ciphertext),
    cs.hpke,
  );
  assert.equal(toHex(opened), h.plaintext, "decrypt_with_label");
  const pub = await cs.hpke.importPublicKey(hex(h.pub));
  const sealed = await encryptWithLabel(pub, h.label, hex(h.context), hex(h.plaintext), cs.hpke);
  const reopened = await decryptWithLabel(priv, h.label, hex(h.context), sealed.enc, sealed.ct, cs.hpke);
  assert.equal(toHex(reopened), h.plaintext, "encrypt then decrypt");
});

test(crypto.title, crypto.run);
