import assert from "node:assert/strict";
import { test } from "node:test";
import { computePskSecret } from "ts-mls/presharedkey.js";
import { family, hex, suiteImpl, toHex } from "./files.js";

interface PskSecret {
  cipher_suite: number;
  psks: { psk_id: string; psk_nonce: string; psk: string }[];
  psk_secret: string;
}

const psk = family<PskSecret>("psk_secret", "psk_secret.json", async (v) => {
  const cs = await suiteImpl(v.cipher_suite);
  const psks = v.psks.map(
    (p) =>
      [{ psktype: "external" as const, pskId: hex(p.psk_id), pskNonce: hex(p.psk_nonce) }, hex(p.psk)] as [
        Parameters<typeof computePskSecret>[0][number][0],
        Uint8Array,
      ],
  );
  assert.equal(toHex(await computePskSecret(psks, cs)), v.psk_secret);
});

test(psk.title, psk.run);
