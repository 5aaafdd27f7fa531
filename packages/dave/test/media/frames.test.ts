import assert from "node:assert/strict";
import { test } from "node:test";
import { Decryptor, Encryptor, KeyRatchet, parseProtocolFrame } from "../../src/index.js";

const secret = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
const ratchet = () => new KeyRatchet(secret);
const frameOf = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

function pair(now: () => number = () => 0) {
  const encryptor = new Encryptor();
  encryptor.setKeyRatchet(ratchet());
  const decryptor = new Decryptor(now);
  decryptor.transitionToKeyRatchet(ratchet());
  return { encryptor, decryptor };
}

function encrypt(encryptor: Encryptor, frame: Uint8Array, ssrc = 1, mediaType: "audio" | "video" = "audio") {
  const result = encryptor.encrypt(mediaType, ssrc, frame);
  assert.ok(result.ok, result.ok ? "" : result.reason);
  return result.frame;
}

test("round trips for Opus, VP8 (key and delta frames), VP9 and unknown codecs", () => {
  const { encryptor, decryptor } = pair();
  const cases = [
    ["opus", 1, frameOf(120)],
    ["vp8", 2, Uint8Array.of(0x10, ...frameOf(500).subarray(1))],
    ["vp8", 2, Uint8Array.of(0x11, ...frameOf(400).subarray(1))],
    ["vp9", 3, frameOf(10_000)],
    ["unknown", 4, frameOf(1)],
  ] as const;
  for (const [codec, ssrc, frame] of cases) {
    encryptor.assignSsrcToCodec(ssrc, codec);
    const sealed = encrypt(encryptor, frame, ssrc, codec === "opus" ? "audio" : "video");
    const parsed = parseProtocolFrame(sealed);
    assert.ok(parsed, `${codec}: a protocol frame`);
    const clearBytes = codec === "vp8" ? ((frame[0] as number) & 1 ? 1 : 10) : 0;
    assert.deepEqual(
      parsed.clear,
      clearBytes ? [{ offset: 0, size: clearBytes }] : [],
      `${codec}: clear ranges`,
    );
    assert.deepEqual(
      sealed.subarray(0, clearBytes),
      frame.subarray(0, clearBytes),
      `${codec}: header stays clear`,
    );
    const opened = decryptor.decrypt(codec === "opus" ? "audio" : "video", sealed);
    assert.ok(opened.ok && !opened.passthrough, `${codec}: decrypts`);
    assert.deepEqual(opened.frame, frame);
  }
  assert.equal(encryptor.stats("video").successes, 4);
  assert.equal(decryptor.stats("audio").successes, 1);
});

test("replays are refused; out-of-order frames inside the window are accepted once", () => {
  const { encryptor, decryptor } = pair();
  const frames = [1, 2, 3, 4].map((i) => encrypt(encryptor, frameOf(50, i)));
  assert.ok(decryptor.decrypt("audio", frames[0] as Uint8Array).ok);
  assert.ok(decryptor.decrypt("audio", frames[3] as Uint8Array).ok);
  assert.ok(decryptor.decrypt("audio", frames[2] as Uint8Array).ok, "a late frame still decrypts");
  for (const replay of [frames[0], frames[2], frames[3]]) {
    const r = decryptor.decrypt("audio", replay as Uint8Array);
    assert.ok(!r.ok && r.reason === "invalid-nonce");
  }
  assert.ok(decryptor.decrypt("audio", frames[1] as Uint8Array).ok);
  assert.equal(decryptor.stats("audio").invalidNonce, 3);
});

test("tampering, missing ratchets and unencrypted frames fail without throwing", () => {
  const { encryptor, decryptor } = pair();
  const sealed = encrypt(encryptor, frameOf(80));
  const tampered = sealed.slice();
  tampered[3] = (tampered[3] as number) ^ 1;
  const r = decryptor.decrypt("audio", tampered);
  assert.ok(!r.ok && r.reason === "authentication-failure");
  assert.ok(!new Decryptor().decrypt("audio", sealed).ok, "no ratchet installed");
  const plain = new Decryptor().decrypt("audio", frameOf(80));
  assert.ok(!plain.ok && plain.reason === "not-encrypted");
  const silence = new Decryptor().decrypt("audio", Uint8Array.of(0xf8, 0xff, 0xfe));
  assert.ok(silence.ok && silence.passthrough, "Opus silence passes through");
  const noKey = new Encryptor().encrypt("audio", 1, frameOf(10));
  assert.ok(!noKey.ok && noKey.reason === "missing-key-ratchet");
});

test("old ratchets expire 10 s after a transition; passthrough ends after its expiry", () => {
  let now = 0;
  const clock = () => now;
  const { encryptor, decryptor } = pair(clock);
  const old = encrypt(encryptor, frameOf(40, 1));
  const older = encrypt(encryptor, frameOf(40, 2));
  const next = new KeyRatchet(Uint8Array.from({ length: 16 }, (_, i) => 255 - i));
  decryptor.transitionToKeyRatchet(next);
  assert.ok(decryptor.decrypt("audio", old).ok, "the previous ratchet still works during the transition");
  now = 10_001;
  const expired = decryptor.decrypt("audio", older);
  assert.ok(!expired.ok, "and is gone 10 s later");
  const fresh = new Encryptor();
  fresh.setKeyRatchet(next);
  assert.ok(decryptor.decrypt("audio", encrypt(fresh, frameOf(40, 3))).ok);

  decryptor.transitionToPassthroughMode(true);
  assert.ok(decryptor.decrypt("audio", frameOf(40)).ok, "passthrough accepts clear frames");
  decryptor.transitionToPassthroughMode(false, 10_000);
  now += 9_999;
  assert.ok(decryptor.decrypt("audio", frameOf(40)).ok, "still within the passthrough expiry");
  now += 2;
  assert.ok(!decryptor.decrypt("audio", frameOf(40)).ok, "clear frames refused after it");
});

test("generations advance with the nonce and wrap past 256; gaps over 250 are refused", () => {
  const days = 1000 * 86_400 * 10_000;
  let now = 0;
  const clock = () => now;
  const encryptor = new Encryptor();
  encryptor.setKeyRatchet(ratchet());
  const decryptor = new Decryptor(clock);
  decryptor.transitionToKeyRatchet(ratchet());
  now = days; // a ratchet old enough for every generation to be plausible
  const internals = encryptor as unknown as { truncatedNonce: number };
  const at = (generation: number, low = 5) => {
    internals.truncatedNonce = ((generation % 256) * 2 ** 24 + low - 1) >>> 0;
    return encrypt(encryptor, frameOf(30, generation));
  };
  for (const g of [0, 1, 200, 255]) assert.ok(decryptor.decrypt("audio", at(g)).ok, `generation ${g}`);
  // Older generations' keys expire 10 s after a newer one is seen; only then is 8-bit 0 read as 256.
  now += 10_001;
  assert.ok(decryptor.decrypt("audio", at(255, 9)).ok, "frames keep flowing on generation 255");
  assert.ok(decryptor.decrypt("audio", at(256)).ok, "generation 256 wraps to 8-bit 0 and still decrypts");
  const farAhead = decryptor.decrypt("audio", at(256 + 251));
  assert.ok(!farAhead.ok && farAhead.reason === "missing-key", "more than 250 generations ahead");
});

test("a replaced ratchet decrypts for the retention window, then its keys are zeroed and it is dropped", () => {
  let now = 0;
  const encryptor = new Encryptor();
  const sending = ratchet();
  encryptor.setKeyRatchet(sending);
  const old = ratchet();
  const decryptor = new Decryptor(() => now, 2_000);
  decryptor.transitionToKeyRatchet(old);
  const [early, late] = [encrypt(encryptor, frameOf(40, 1)), encrypt(encryptor, frameOf(40, 2))];
  const key = old.getKey(0) as Uint8Array; // the ratchet's own copy of generation 0's key
  decryptor.transitionToKeyRatchet(new KeyRatchet(new Uint8Array(16).fill(9)));
  now = 2_000;
  assert.ok(decryptor.decrypt("audio", early).ok, "inside the window");
  now = 2_001;
  decryptor.eraseExpired();
  assert.ok(
    key.every((b) => b === 0),
    "the key bytes are zeroed",
  );
  assert.equal(old.getKey(0), null);
  assert.equal(old.getKey(1), null, "no later generation either: the secret is gone");
  assert.deepEqual(decryptor.decrypt("audio", late), { ok: false, reason: "authentication-failure" });

  const sendingKey = sending.getKey(0) as Uint8Array;
  encryptor.setKeyRatchet(ratchet());
  assert.ok(
    sendingKey.every((b) => b === 0),
    "a sender's replaced ratchet is erased at once",
  );
});
