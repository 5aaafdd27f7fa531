import { type BenchRow, progress, timeOp } from "@parley/bench";
import { Codec, type DAVESession, MediaType } from "@snazzah/davey";
import { Decryptor, Encryptor, type KeyRatchet } from "../src/index.js";

const OPUS_BYTES = 120;
const VIDEO_BYTES = 10_000;

/**
 * Frame encryption and decryption, ours and davey's, in one group: each side decrypts the other's frames.
 * Decryption consumes nonces (the replay window), so every decrypted frame is a fresh one made beforehand.
 */
export interface FrameParties {
  /** Our sending ratchet (the Parley member's own key). */
  readonly ours: KeyRatchet;
  /** The Parley member's id, as davey's receiver knows it. */
  readonly oursUserId: string;
  /** Our receive ratchet for the davey sender's frames. */
  readonly oursForDavey: KeyRatchet;
  readonly daveySender: DAVESession;
  /** A davey member decrypting our frames. */
  readonly daveyReceiver: DAVESession;
}

export async function frameRows(parties: FrameParties, quick: boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // One encryptor for all of a sender's media: audio and video share its nonce sequence, as in a real call.
  const encryptor = new Encryptor();
  encryptor.setKeyRatchet(parties.ours);
  encryptor.assignSsrcToCodec(1, "opus");
  encryptor.assignSsrcToCodec(2, "vp8");
  const decryptor = new Decryptor();
  decryptor.transitionToKeyRatchet(parties.oursForDavey);
  const count = quick ? 20_000 : 60_000;
  for (const [name, mediaType, codec, size] of [
    ["opus", "audio", Codec.OPUS, OPUS_BYTES],
    ["video", "video", Codec.VP8, VIDEO_BYTES],
  ] as const) {
    progress(`frames: ${name} (${size} B) encrypt and decrypt`);
    const frame = Buffer.from(Array.from({ length: size }, (_, i) => (i * 31) & 0xff));
    frame[0] = 0x11; // a VP8 delta frame
    const ssrc = name === "opus" ? 1 : 2;
    const daveyMedia = mediaType === "audio" ? MediaType.AUDIO : MediaType.VIDEO;
    const n = name === "opus" ? count : Math.floor(count / 10);
    const budget = { minMs: quick ? 200 : 600, minRuns: 5 };

    const oursEncrypt = await timeOp(() => encryptor.encrypt(mediaType, ssrc, frame), budget);
    const daveyEncrypt = await timeOp(() => parties.daveySender.encrypt(daveyMedia, codec, frame), budget);

    // Decrypt: a batch of distinct frames per side, timed as a whole.
    const oursFrames = Array.from({ length: n }, () => {
      const r = encryptor.encrypt(mediaType, ssrc, frame);
      if (!r.ok) throw new Error("bench encryption failed");
      return r.frame;
    });
    const daveyFrames = Array.from({ length: n }, () =>
      parties.daveySender.encrypt(daveyMedia, codec, frame),
    );
    let t = performance.now();
    for (const f of daveyFrames)
      if (!decryptor.decrypt(mediaType, f).ok) throw new Error("bench decryption failed");
    const oursDecrypt = (performance.now() - t) / n;
    t = performance.now();
    for (const f of oursFrames) parties.daveyReceiver.decrypt(parties.oursUserId, daveyMedia, Buffer.from(f));
    const daveyDecrypt = (performance.now() - t) / n;

    rows.push({
      case: `${name}-encrypt`,
      unit: "µs",
      better: "lower",
      ours: oursEncrypt * 1000,
      peer: daveyEncrypt * 1000,
    });
    rows.push({
      case: `${name}-decrypt`,
      unit: "µs",
      better: "lower",
      ours: oursDecrypt * 1000,
      peer: daveyDecrypt * 1000,
    });
    // The stated goal: frames/s through encrypt and decrypt together at least davey's.
    rows.push({
      case: `${name}-encrypt+decrypt`,
      unit: "frames/s",
      better: "higher",
      ours: 1000 / (oursEncrypt + oursDecrypt),
      peer: 1000 / (daveyEncrypt + daveyDecrypt),
      goals: [{ op: ">=", value: 1, against: "peer-ratio", text: "≥ davey" }],
    });
  }
  return rows;
}
