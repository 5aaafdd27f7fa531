import assert from "node:assert/strict";
import { test } from "node:test";
import { pairwiseFingerprint } from "../../src/index.js";
import { generateDisplayableCode } from "../../src/verification/displayableCode.js";
import { daveVectors } from "../vectors.js";

interface Codes {
  displayable_code: { cases: { data_hex: string; length: number; group_size: number; code: string }[] };
  pairwise_fingerprint: {
    cases: {
      version: number;
      key_a_hex: string;
      user_a: string;
      key_b_hex: string;
      user_b: string;
      fingerprint: number[];
    }[];
  };
}

const vectors = daveVectors<Codes>("known-answers.json");
const hex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));

test(`displayable codes: ${vectors.displayable_code.cases.length} known answers`, () => {
  for (const c of vectors.displayable_code.cases) {
    assert.equal(generateDisplayableCode(hex(c.data_hex), c.length, c.group_size), c.code);
  }
  assert.throws(() => generateDisplayableCode(new Uint8Array(4), 5, 5), RangeError);
});

test(`pairwise fingerprints: ${vectors.pairwise_fingerprint.cases.length} known answers, symmetric`, async () => {
  for (const c of vectors.pairwise_fingerprint.cases) {
    const ab = await pairwiseFingerprint(c.version, hex(c.key_a_hex), c.user_a, hex(c.key_b_hex), c.user_b);
    assert.deepEqual([...ab], c.fingerprint);
    const ba = await pairwiseFingerprint(c.version, hex(c.key_b_hex), c.user_b, hex(c.key_a_hex), c.user_a);
    assert.deepEqual(ba, ab);
  }
});
