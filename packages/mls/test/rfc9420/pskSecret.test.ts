import assert from "node:assert/strict";
import { test } from "node:test";
import { ParleyMlsError } from "../../src/errors.js";
import { cipherSuite } from "../../src/rfc9420/crypto/index.js";
import { encodePreSharedKeyId, type PskInput, pskSecret } from "../../src/rfc9420/schedule/index.js";
import { family, hex, toHex } from "../vectors/files.js";

interface PskVector {
  cipher_suite: number;
  psks: { psk_id: string; psk: string; psk_nonce: string }[];
  psk_secret: string;
}

const vectors = family<PskVector>("psk_secret (rfc9420 engine)", "psk_secret.json", (v) => {
  const cs = cipherSuite(v.cipher_suite);
  const psks: PskInput[] = v.psks.map((p) => ({
    id: { type: "external", pskId: hex(p.psk_id), pskNonce: hex(p.psk_nonce) },
    psk: hex(p.psk),
  }));
  assert.equal(toHex(pskSecret(cs, psks)), v.psk_secret);
  if (psks.length > 1) assert.notEqual(toHex(pskSecret(cs, psks.toReversed())), v.psk_secret, "order binds");
});

test(vectors.title, vectors.run);

test("PreSharedKeyID encodings and the PSK count limit", () => {
  const external = encodePreSharedKeyId({
    type: "external",
    pskId: Uint8Array.of(7),
    pskNonce: Uint8Array.of(8, 9),
  });
  assert.equal(toHex(external), "0101070208" + "09");
  const resumption = encodePreSharedKeyId({
    type: "resumption",
    usage: "branch",
    pskGroupId: Uint8Array.of(0xaa),
    pskEpoch: 258n,
    pskNonce: new Uint8Array(0),
  });
  assert.equal(toHex(resumption), "020301aa000000000000010200");
  const psk = {
    id: { type: "external", pskId: Uint8Array.of(1), pskNonce: Uint8Array.of(2) },
    psk: Uint8Array.of(3),
  } as const;
  assert.deepEqual(pskSecret(cipherSuite(2), []), new Uint8Array(32));
  assert.throws(
    () => pskSecret(cipherSuite(1), new Array<PskInput>(0x10000).fill(psk)),
    (err) => err instanceof ParleyMlsError && err.code === "usage",
  );
});
