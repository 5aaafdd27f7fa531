import { VoiceGatewayError } from "./errors.js";

/*
 * The media relay, standing in for Discord's SFU so calls can be tested end to end. Frames pass through
 * unchanged (they are DAVE-encrypted end to end, or passthrough at version 0); the gateway only tags them
 * with the sender's user id.
 *   client→server op 200: uint32 ssrc ‖ uint8 codec ‖ frame
 *   server→client op 201: uint64 user_id ‖ uint32 ssrc ‖ uint8 codec ‖ frame   (after seq ‖ op)
 */

export interface MediaFrame {
  readonly ssrc: number;
  readonly codec: number;
  readonly frame: Uint8Array;
}

/** Relay codec numbers, as @snazzah/davey's Codec enum (any byte is forwarded unchanged). */
export const RelayCodec = { unknown: 0, opus: 1, vp8: 2, vp9: 3, h264: 4, h265: 5, av1: 6 } as const;

export function encodeMediaSend(ssrc: number, codec: number, frame: Uint8Array): Uint8Array {
  checkHeader(ssrc, codec);
  const out = new Uint8Array(5 + frame.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, ssrc);
  out[4] = codec;
  out.set(frame, 5);
  return out;
}

export function decodeMediaSend(payload: Uint8Array): MediaFrame {
  if (payload.length < 5) throw new VoiceGatewayError("truncated", `media frame of ${payload.length} bytes`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { ssrc: view.getUint32(0), codec: payload[4] as number, frame: payload.subarray(5) };
}

export function encodeMediaReceive(userId: string, media: MediaFrame): Uint8Array {
  const out = new Uint8Array(13 + media.frame.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(userId));
  view.setUint32(8, media.ssrc);
  out[12] = media.codec;
  out.set(media.frame, 13);
  return out;
}

export function decodeMediaReceive(payload: Uint8Array): MediaFrame & { readonly userId: string } {
  if (payload.length < 13)
    throw new VoiceGatewayError("truncated", `relayed media of ${payload.length} bytes`);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return {
    userId: view.getBigUint64(0).toString(),
    ssrc: view.getUint32(8),
    codec: payload[12] as number,
    frame: payload.subarray(13),
  };
}

function checkHeader(ssrc: number, codec: number): void {
  if (!Number.isInteger(ssrc) || ssrc < 0 || ssrc > 0xffffffff) throw new RangeError("ssrc must be a uint32");
  if (!Number.isInteger(codec) || codec < 0 || codec > 255) throw new RangeError("codec must be a uint8");
}
