import { decodeMlsMessage, decodeWelcome, encodeMlsMessage, encodeWelcome, type MLSMessage } from "./engine.js";
import { asMlsError, ParleyMlsError } from "./errors.js";

/** Largest MLS message the facade decodes; larger input is refused before any parsing. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Decode an MLSMessage, requiring it to fill the input exactly. */
export function decodeMessage(bytes: Uint8Array, what = "MLS message"): MLSMessage {
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new ParleyMlsError("oversized", `${what} of ${bytes.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  }
  if (bytes.length < 4) throw new ParleyMlsError("truncated", `${what} of ${bytes.length} bytes is too short`);
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (err) {
    throw asMlsError(err, "malformed", `${what} does not decode`);
  }
  if (decoded === undefined) throw new ParleyMlsError("malformed", `${what} does not decode`);
  if (decoded[1] !== bytes.length) {
    throw new ParleyMlsError("malformed", `${what} has ${bytes.length - decoded[1]} trailing bytes`);
  }
  if (decoded[0].version !== "mls10") {
    throw new ParleyMlsError("unsupported", `${what} has protocol version ${String(decoded[0].version)}`);
  }
  return decoded[0];
}

export function encodeMessage(message: MLSMessage): Uint8Array {
  return encodeMlsMessage(message);
}

/** The bare Welcome inside an MLSMessage (DAVE carries Welcomes unwrapped). */
export function toBareWelcome(message: Uint8Array): Uint8Array {
  const m = decodeMessage(message, "Welcome message");
  if (m.wireformat !== "mls_welcome") throw new ParleyMlsError("invalid", `expected a Welcome, got ${m.wireformat}`);
  return encodeWelcome(m.welcome);
}

/** Wrap a bare Welcome into an MLSMessage. */
export function fromBareWelcome(bare: Uint8Array): Uint8Array {
  if (bare.length > MAX_MESSAGE_BYTES) {
    throw new ParleyMlsError("oversized", `Welcome of ${bare.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  }
  let decoded: ReturnType<typeof decodeWelcome>;
  try {
    decoded = decodeWelcome(bare, 0);
  } catch (err) {
    throw asMlsError(err, "malformed", "Welcome does not decode");
  }
  if (decoded === undefined) throw new ParleyMlsError("malformed", "Welcome does not decode");
  if (decoded[1] !== bare.length) {
    throw new ParleyMlsError("malformed", `Welcome has ${bare.length - decoded[1]} trailing bytes`);
  }
  return encodeMlsMessage({ version: "mls10", wireformat: "mls_welcome", welcome: decoded[0] });
}
