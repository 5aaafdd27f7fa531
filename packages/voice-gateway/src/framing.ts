import { VoiceGatewayError } from "./errors.js";

/*
 * Voice gateway framing (dave-notes "Voice gateway opcodes"): JSON text frames `{op, d}`; binary frames
 * server→client `uint16 BE seq ‖ uint8 op ‖ payload`, client→server `uint8 op ‖ payload`.
 */

export type Frame =
  | { readonly kind: "json"; readonly op: number; readonly d: unknown }
  | { readonly kind: "binary"; readonly op: number; readonly payload: Uint8Array };

function parseJson(text: string): { op: number; d: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new VoiceGatewayError("malformed", `text frame of ${text.length} chars is not JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new VoiceGatewayError("malformed", "JSON frame is not an object");
  }
  const { op, d } = value as { op?: unknown; d?: unknown };
  if (typeof op !== "number" || !Number.isInteger(op) || op < 0 || op > 255) {
    throw new VoiceGatewayError("malformed", "JSON frame has no integer op");
  }
  return { op, d };
}

/** A client→server frame as the gateway reads it. */
export function decodeClientFrame(data: Uint8Array | string): Frame {
  if (typeof data === "string") return { kind: "json", ...parseJson(data) };
  const op = data[0];
  if (op === undefined) throw new VoiceGatewayError("truncated", "empty binary frame");
  return { kind: "binary", op, payload: data.subarray(1) };
}

/** A server→client frame as a client reads it. */
export function decodeServerFrame(
  data: Uint8Array | string,
):
  | { kind: "json"; op: number; d: unknown }
  | { kind: "binary"; seq: number; op: number; payload: Uint8Array } {
  if (typeof data === "string") return { kind: "json", ...parseJson(data) };
  if (data.length < 3) throw new VoiceGatewayError("truncated", `binary frame of ${data.length} bytes`);
  const seq = ((data[0] as number) << 8) | (data[1] as number);
  return { kind: "binary", seq, op: data[2] as number, payload: data.subarray(3) };
}

export function encodeServerBinary(seq: number, op: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 + payload.length);
  out[0] = (seq >>> 8) & 0xff;
  out[1] = seq & 0xff;
  out[2] = op;
  out.set(payload, 3);
  return out;
}

export function encodeClientBinary(op: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + payload.length);
  out[0] = op;
  out.set(payload, 1);
  return out;
}

export function encodeJson(op: number, d: unknown): string {
  return JSON.stringify({ op, d });
}

/** `uint16 BE transition_id ‖ rest`: ops 29 and 30. */
export function withTransitionId(transitionId: number, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + rest.length);
  out[0] = (transitionId >>> 8) & 0xff;
  out[1] = transitionId & 0xff;
  out.set(rest, 2);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
