import assert from "node:assert/strict";
import { test } from "node:test";
import { Decryptor, Encryptor, KeyRatchet } from "../../src/index.js";

/** mulberry32, seeded so that a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAMES = 1_000_000;

test(`fuzz: ${FRAMES.toLocaleString("en")} mutated frames never throw and never decrypt to other bytes`, (t) => {
  const secret = Uint8Array.from({ length: 16 }, (_, i) => 3 * i + 1);
  const encryptor = new Encryptor();
  encryptor.setKeyRatchet(new KeyRatchet(secret));
  encryptor.assignSsrcToCodec(1, "opus");
  encryptor.assignSsrcToCodec(2, "vp8");
  const originals: { plain: Uint8Array; sealed: Uint8Array; media: "audio" | "video" }[] = [];
  const add = (media: "audio" | "video", ssrc: number, plain: Uint8Array) => {
    const r = encryptor.encrypt(media, ssrc, plain);
    assert.ok(r.ok);
    originals.push({ plain, sealed: r.frame, media });
  };
  add(
    "audio",
    1,
    Uint8Array.from({ length: 120 }, (_, i) => i),
  );
  add(
    "video",
    2,
    Uint8Array.from({ length: 300 }, (_, i) => (i * 5) & 0xfe),
  );
  add(
    "video",
    2,
    Uint8Array.from({ length: 60 }, (_, i) => (i * 9) | 1),
  );
  add("audio", 1, Uint8Array.of(1, 2, 3));

  const freshDecryptor = () => {
    const d = new Decryptor(() => 0);
    d.transitionToKeyRatchet(new KeyRatchet(secret));
    return d;
  };
  let decryptor = freshDecryptor();
  const random = prng(0xda7e);
  const at = (n: number) => Math.floor(random() * n);
  const outcomes = new Map<string, number>();
  for (let i = 0; i < FRAMES; i++) {
    const original = originals[i % originals.length] as (typeof originals)[number];
    const s = original.sealed;
    let mutated: Uint8Array;
    switch (i % 4) {
      case 0: {
        mutated = s.slice();
        const p = at(s.length);
        mutated[p] = (mutated[p] as number) ^ (1 << at(8));
        break;
      }
      case 1:
        mutated = s.subarray(0, at(s.length));
        break;
      case 2: {
        mutated = new Uint8Array(s.length + 1 + at(16));
        mutated.set(s);
        for (let j = s.length; j < mutated.length; j++) mutated[j] = at(256);
        break;
      }
      default: {
        mutated = s.slice();
        const p = s.length - 1 - at(Math.min(s.length, 24)); // the trailer is where parsing decides
        mutated[p] = at(256);
      }
    }
    const result = decryptor.decrypt(original.media, mutated);
    if (result.ok && !result.passthrough) {
      assert.deepEqual(result.frame, original.plain, `mutation #${i} decrypted to other bytes`);
      outcomes.set("decrypted-original", (outcomes.get("decrypted-original") ?? 0) + 1);
      // That nonce is now spent; start over so later mutations of it still reach the tag check.
      decryptor = freshDecryptor();
    } else {
      assert.ok(!result.ok, `mutation #${i} passed through`);
      outcomes.set(result.reason, (outcomes.get(result.reason) ?? 0) + 1);
    }
  }
  t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  // Each original still decrypts exactly once (nothing it shares a nonce with was accepted).
  for (const o of originals) {
    const r = decryptor.decrypt(o.media, o.sealed);
    if (r.ok) assert.deepEqual(r.frame, o.plain);
  }
});
