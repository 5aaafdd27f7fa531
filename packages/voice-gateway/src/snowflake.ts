import { VoiceGatewayError } from "./errors.js";

/*
 * Discord snowflakes (user and channel ids): unsigned 64-bit, carried as decimal strings in JSON and as 8
 * bytes big-endian in MLS (group id, credential identity).
 */

const MAX = (1n << 64n) - 1n;

/** The canonical decimal form of a snowflake given as a string, or a typed error. */
export function parseSnowflake(value: unknown, what: string): string {
  if (typeof value !== "string" || !/^\d{1,20}$/.test(value)) {
    throw new VoiceGatewayError("invalid-identify", `${what} must be a decimal snowflake string`);
  }
  const n = BigInt(value);
  if (n > MAX) throw new VoiceGatewayError("invalid-identify", `${what} exceeds 64 bits`);
  return n.toString();
}

export function snowflakeToBytes(id: string): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(id));
  return out;
}

export function snowflakeFromBytes(bytes: Uint8Array): string {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0).toString();
}
