import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type CodecName as Codec,
  Decryptor,
  Encryptor,
  KeyRatchet,
  parseProtocolFrame,
} from "../../src/index.js";

const bytes = (...parts: (number[] | Uint8Array)[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const filler = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i * 37 + seed) % 200) + 2);

function sealWith(codec: Codec, frame: Uint8Array) {
  const secret = new Uint8Array(16).fill(9);
  const encryptor = new Encryptor();
  encryptor.setKeyRatchet(new KeyRatchet(secret));
  encryptor.assignSsrcToCodec(7, codec);
  const sealed = encryptor.encrypt("video", 7, frame);
  assert.ok(sealed.ok, sealed.ok ? "" : sealed.reason);
  const parsed = parseProtocolFrame(sealed.frame);
  assert.ok(parsed);
  const decryptor = new Decryptor();
  decryptor.transitionToKeyRatchet(new KeyRatchet(secret));
  const opened = decryptor.decrypt("video", sealed.frame);
  assert.ok(opened.ok);
  return { sealed: sealed.frame, clear: parsed.clear, opened: opened.frame };
}

test("H.264: start codes become 4 bytes; SPS stays clear; an IDR slice is clear up to its PPS id", () => {
  const sps = [0x67, 0x42, 0xc0, 0x1f, 0xda];
  // IDR NAL header 0x65; payload bits: first_mb=0 ('1'), slice_type=7 ('0001000'), pps_id=0 ('1') → 0x88 0x80…
  const idr = [0x65, 0x88, 0x80, ...filler(40, 1)];
  const frame = bytes([0, 0, 1], sps, [0, 0, 0, 1], idr);
  const { clear, opened } = sealWith("h264", frame);
  // [00 00 00 01][SPS 5][00 00 00 01][IDR header + 2 bytes covering the three Exp-Golomb values]
  assert.deepEqual(clear, [{ offset: 0, size: 4 + 5 + 4 + 1 + 2 }]);
  assert.deepEqual(opened, bytes([0, 0, 0, 1], sps, [0, 0, 0, 1], idr), "decrypts to the normalized frame");
});

test("H.265: parameter sets clear, VCL NAL units keep only their 2-byte header clear", () => {
  const vps = [0x40, 0x01, 0x0c, 0x01];
  const idr = [0x26, 0x01, ...filler(30, 3)]; // type 19 (IDR_W_RADL)
  const frame = bytes([0, 0, 0, 1], vps, [0, 0, 1], idr);
  const { clear, opened } = sealWith("h265", frame);
  assert.deepEqual(clear, [{ offset: 0, size: 4 + 4 + 4 + 2 }]);
  assert.deepEqual(opened, bytes([0, 0, 0, 1], vps, [0, 0, 0, 1], idr));
});

test("AV1: temporal delimiters dropped, OBU headers and sizes clear, the last OBU loses its size", () => {
  const td = [0x12, 0x00]; // temporal delimiter, has_size, size 0
  const seq = [0x0a, 0x03, 1, 2, 3]; // sequence header, has_size, 3 bytes
  const frameObu = [0x32, 0x04, 9, 8, 7, 6]; // frame OBU (type 6), has_size, 4 bytes
  const { clear, opened } = sealWith("av1", bytes(td, seq, frameObu));
  assert.deepEqual(clear, [
    { offset: 0, size: 2 },
    { offset: 5, size: 1 },
  ]);
  assert.deepEqual(opened, bytes([0x0a, 0x03, 1, 2, 3], [0x30, 9, 8, 7, 6]));
});

test("VP8 and malformed frames: key/delta headers, and whole-frame encryption when a transform cannot parse", () => {
  assert.deepEqual(sealWith("vp8", bytes([0x10], filler(20, 1))).clear, [{ offset: 0, size: 10 }]);
  assert.deepEqual(sealWith("vp8", bytes([0x11], filler(20, 1))).clear, [{ offset: 0, size: 1 }]);
  const broken = bytes([0x32, 0x7f, 1, 2]); // AV1 OBU whose size runs past the frame
  const { clear, opened } = sealWith("av1", broken);
  assert.deepEqual(clear, []);
  assert.deepEqual(opened, broken);
});

test("H.26x ciphertext never carries a start code (re-encrypted under the next nonce when it would)", () => {
  const encryptor = new Encryptor();
  encryptor.setKeyRatchet(new KeyRatchet(new Uint8Array(16).fill(4)));
  encryptor.assignSsrcToCodec(1, "h264");
  for (let i = 0; i < 2000; i++) {
    const r = encryptor.encrypt("video", 1, bytes([0, 0, 0, 1, 0x65, 0x88, 0x80], filler(60, i)));
    assert.ok(r.ok);
    const parsed = parseProtocolFrame(r.frame);
    const encryptedFrom = (parsed?.clear[0]?.size ?? 0) - 2;
    const tail = r.frame.subarray(encryptedFrom);
    for (let j = 0; j + 2 < tail.length; j++) {
      assert.ok(!(tail[j] === 0 && tail[j + 1] === 0 && tail[j + 2] === 1), `start code in frame ${i}`);
    }
  }
  assert.ok(encryptor.stats("video").attempts >= 2000);
});
