import type { Range } from "./frame.js";

export type Codec = "unknown" | "opus" | "vp8" | "vp9" | "h264" | "h265" | "av1";
export type MediaType = "audio" | "video";

/**
 * The ranges a codec's packetizer must read in the clear (libdave codec_utils), or undefined for a codec
 * whose transform this build does not implement yet: the encryptor then refuses the frame rather than
 * producing one a receiver's packetizer would mangle.
 */
export function unencryptedRanges(codec: Codec, frame: Uint8Array): Range[] | undefined {
  switch (codec) {
    case "opus":
    case "vp9":
    case "unknown":
      return [];
    case "vp8": {
      // The VP8 payload header: 10 bytes on key frames (P bit clear), 1 byte otherwise (RFC 6386 §9.1).
      if (frame.length === 0) return [];
      const header = ((frame[0] as number) & 1) === 0 ? 10 : 1;
      return [{ offset: 0, size: Math.min(header, frame.length) }];
    }
    default:
      return undefined;
  }
}
