import assert from "node:assert/strict";
import { test } from "node:test";
import { KeyRatchet } from "../../src/index.js";
import { daveVectors } from "../vectors.js";

interface HashRatchet {
  hash_ratchet: { base_secret: number[]; generations: { generation: number; key: number[] }[] };
}

test("key ratchet: known answers, deletion, and refusal of bad generations", () => {
  const { hash_ratchet: v } = daveVectors<HashRatchet>("known-answers.json");
  const ratchet = new KeyRatchet(Uint8Array.from(v.base_secret));
  for (const g of [...v.generations].reverse()) {
    assert.deepEqual([...(ratchet.getKey(g.generation) ?? [])], g.key, `generation ${g.generation}`);
  }
  ratchet.deleteKey(0);
  assert.equal(ratchet.getKey(0), null, "a deleted generation stays gone");
  assert.deepEqual([...(ratchet.getKey(1) ?? [])], v.generations[1]?.key);
  assert.equal(ratchet.getKey(-1), null);
  assert.equal(ratchet.getKey(1.5), null);
  assert.throws(() => new KeyRatchet(new Uint8Array(15)), RangeError);
});
