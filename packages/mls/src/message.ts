import {
  decodeMlsMessage,
  decodeWelcome,
  encodeMlsMessage,
  encodeWelcome,
  type MLSMessage,
} from "./engine.js";
import { asMlsError, ParleyMlsError } from "./errors.js";

/** Largest MLS message the facade decodes; larger input is refused before any parsing. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** An engine decoder: the value and how many bytes it took, or undefined when the bytes do not decode. */
export type EngineDecoder<T> = (bytes: Uint8Array, offset: number) => [T, number] | undefined;

/**
 * Decode one structure that must fill `bytes` exactly, with size limits and typed errors. Engine decoders
 * may throw on garbage (RangeError and the like); that is reported as malformed input too.
 */
export function decodeExact<T>(decode: EngineDecoder<T>, bytes: Uint8Array, what: string): T {
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new ParleyMlsError("oversized", `${what} of ${bytes.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  }
  let decoded: [T, number] | undefined;
  try {
    decoded = decode(bytes, 0);
  } catch (err) {
    throw asMlsError(err, "malformed", `${what} does not decode`);
  }
  if (decoded === undefined) throw new ParleyMlsError("malformed", `${what} does not decode`);
  if (decoded[1] !== bytes.length) {
    throw new ParleyMlsError("malformed", `${what} has ${bytes.length - decoded[1]} trailing bytes`);
  }
  return decoded[0];
}

/** Decode an MLSMessage, requiring it to fill the input exactly. */
export function decodeMessage(bytes: Uint8Array, what = "MLS message"): MLSMessage {
  if (bytes.length < 4 && bytes.length <= MAX_MESSAGE_BYTES) {
    throw new ParleyMlsError("truncated", `${what} of ${bytes.length} bytes is too short`);
  }
  const message = decodeExact(decodeMlsMessage, bytes, what);
  if (message.version !== "mls10") {
    throw new ParleyMlsError("unsupported", `${what} has protocol version ${String(message.version)}`);
  }
  return message;
}

export function encodeMessage(message: MLSMessage): Uint8Array {
  return encodeMlsMessage(message);
}

/** The bare Welcome inside an MLSMessage (DAVE carries Welcomes unwrapped). */
export function toBareWelcome(message: Uint8Array): Uint8Array {
  const m = decodeMessage(message, "Welcome message");
  if (m.wireformat !== "mls_welcome")
    throw new ParleyMlsError("invalid", `expected a Welcome, got ${m.wireformat}`);
  return encodeWelcome(m.welcome);
}

/** Wrap a bare Welcome into an MLSMessage. */
export function fromBareWelcome(bare: Uint8Array): Uint8Array {
  const welcome = decodeExact(decodeWelcome, bare, "Welcome");
  return encodeMlsMessage({ version: "mls10", wireformat: "mls_welcome", welcome });
}

/**
 * Split concatenated MLSMessages (a vector body that carries no per-message lengths, like DAVE's op 27) into
 * each message's bytes.
 */
export function splitMessages(bytes: Uint8Array, what = "message list"): Uint8Array[] {
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new ParleyMlsError("oversized", `${what} of ${bytes.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  }
  const messages: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    let decoded: [MLSMessage, number] | undefined;
    try {
      decoded = decodeMlsMessage(bytes, offset);
    } catch (err) {
      throw asMlsError(err, "malformed", `${what}: message ${messages.length} does not decode`);
    }
    if (decoded === undefined || decoded[1] === 0) {
      throw new ParleyMlsError("malformed", `${what}: message ${messages.length} does not decode`);
    }
    messages.push(bytes.slice(offset, offset + decoded[1]));
    offset += decoded[1];
  }
  return messages;
}
