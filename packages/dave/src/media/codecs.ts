import { bytesCoveringH264Pps, LONG_START_CODE, nextNalUnit } from "./h26x.js";
import { readLeb128, writeLeb128 } from "./leb128.js";
import { OutboundFrame } from "./outboundFrame.js";

export type Codec = "unknown" | "opus" | "vp8" | "vp9" | "h264" | "h265" | "av1";
export type MediaType = "audio" | "video";

/**
 * Lay a frame out for encryption the way libdave's codec_utils does: what the codec's packetizer must read
 * stays clear, everything else is encrypted. A frame a transform cannot parse is encrypted whole, as libdave does.
 */
export function layoutFrame(codec: Codec, frame: Uint8Array): OutboundFrame {
  const transformed = new OutboundFrame();
  const ok =
    codec === "vp8"
      ? vp8(transformed, frame)
      : codec === "h264"
        ? h26x(transformed, frame, "h264")
        : codec === "h265"
          ? h26x(transformed, frame, "h265")
          : codec === "av1"
            ? av1(transformed, frame)
            : encryptAll(transformed, frame);
  if (ok) return transformed;
  const whole = new OutboundFrame();
  whole.addEncrypted(frame);
  return whole;
}

/** Opus, VP9 (its payload descriptor is outside the frame) and unknown codecs: everything is encrypted. */
function encryptAll(out: OutboundFrame, frame: Uint8Array): boolean {
  out.addEncrypted(frame);
  return true;
}

/** VP8 (RFC 7741 §4.3): 10 header bytes stay clear on key frames (P bit 0), 1 byte on delta frames. */
function vp8(out: OutboundFrame, frame: Uint8Array): boolean {
  if (frame.length === 0) return false;
  const clear = Math.min(((frame[0] as number) & 1) === 0 ? 10 : 1, frame.length);
  out.addClear(frame.subarray(0, clear));
  out.addEncrypted(frame.subarray(clear));
  return true;
}

/**
 * H.264 / H.265 Annex B: every start code becomes the 4-byte one (WebRTC rewrites them on receipt). Slices keep
 * their NAL header (and, for H.264, the bytes up to the PPS id) clear and encrypt the rest; other NAL units
 * (parameter sets, SEI…) stay entirely clear.
 */
function h26x(out: OutboundFrame, frame: Uint8Array, codec: "h264" | "h265"): boolean {
  const headerSize = codec === "h264" ? 1 : 2;
  if (frame.length < 3 + headerSize) return false;
  let nal = nextNalUnit(frame, 0);
  while (nal && nal.start < frame.length - 1) {
    const start = nal.start;
    const next = nextNalUnit(frame, start);
    const end = next ? next.start - next.startCodeSize : frame.length;
    out.addClear(LONG_START_CODE);
    const header = frame[start] as number;
    const isSlice = codec === "h264" ? [1, 5].includes(header & 0x1f) : (header & 0x7e) >> 1 < 32;
    if (isSlice) {
      const clear = headerSize + (codec === "h264" ? bytesCoveringH264Pps(frame.subarray(start + 1)) : 0);
      out.addClear(frame.subarray(start, Math.min(start + clear, end)));
      out.addEncrypted(frame.subarray(Math.min(start + clear, end), end));
    } else {
      out.addClear(frame.subarray(start, end));
    }
    nal = next;
  }
  return true;
}

const OBU_HAS_EXTENSION = 0b0000_0100;
const OBU_HAS_SIZE = 0b0000_0010;
/** Temporal delimiter, tile list and padding OBUs are dropped by the packetizer, so they are dropped here. */
const DROPPED_OBU_TYPES = new Set([2, 8, 15]);

/**
 * AV1: OBU headers (and extension bytes and re-encoded sizes) stay clear, payloads are encrypted; the last OBU
 * loses its size field so that the protocol trailer can follow it.
 */
function av1(out: OutboundFrame, frame: Uint8Array): boolean {
  let i = 0;
  while (i < frame.length) {
    const headerIndex = i;
    let header = frame[i++] as number;
    const hasExtension = (header & OBU_HAS_EXTENSION) !== 0;
    const hasSize = (header & OBU_HAS_SIZE) !== 0;
    const type = (header & 0b0111_1000) >> 3;
    if (hasExtension) i++;
    if (i >= frame.length) return false;
    let payloadSize: number;
    if (hasSize) {
      const size = readLeb128(frame, i, frame.length);
      if (size === undefined) return false;
      payloadSize = size.value;
      i = size.next;
    } else {
      payloadSize = frame.length - i;
    }
    const payloadIndex = i;
    if (i + payloadSize > frame.length) return false;
    i += payloadSize;
    if (DROPPED_OBU_TYPES.has(type)) continue;
    const last = i === frame.length;
    if (last && hasSize) header &= ~OBU_HAS_SIZE;
    out.addClear(Uint8Array.of(header));
    if (hasExtension) out.addClear(frame.subarray(headerIndex + 1, headerIndex + 2));
    if (hasSize && !last) {
      // Re-encode the size minimally: some encoders pad it, and the packetizer would strip the padding.
      const leb = new Uint8Array(10);
      out.addClear(leb.subarray(0, writeLeb128(payloadSize, leb, 0)));
    }
    out.addEncrypted(frame.subarray(payloadIndex, payloadIndex + payloadSize));
  }
  return true;
}

/**
 * H.26x packetizers split on start codes, so no start code may appear in an encrypted section or the trailer
 * (checked with two bytes of context on each side). Other codecs have no such constraint.
 */
export function ciphertextIsPacketizable(
  codec: Codec,
  frame: Uint8Array,
  clearRanges: readonly { offset: number; size: number }[],
): boolean {
  if (codec !== "h264" && codec !== "h265") return true;
  const pad = 2;
  let sectionStart = 0;
  for (const range of clearRanges) {
    if (sectionStart === range.offset) {
      sectionStart += range.size;
      continue;
    }
    const from = sectionStart - Math.min(sectionStart, pad);
    const to = Math.min(range.offset + pad, frame.length);
    if (nextNalUnit(frame.subarray(from, to), 0)) return false;
    sectionStart = range.offset + range.size;
  }
  if (sectionStart === frame.length) return true;
  return nextNalUnit(frame.subarray(sectionStart - Math.min(sectionStart, pad)), 0) === undefined;
}
