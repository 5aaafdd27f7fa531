/** Discord snowflakes (user and channel ids): 64-bit unsigned, given as decimal strings or bigints. */
export type Snowflake = string | bigint;

const MAX = (1n << 64n) - 1n;

export function toSnowflake(id: Snowflake): bigint {
  const value = typeof id === "bigint" ? id : /^\d{1,20}$/.test(id) ? BigInt(id) : -1n;
  if (value < 0n || value > MAX) throw new RangeError(`not a Discord snowflake: ${String(id).slice(0, 40)}`);
  return value;
}

/** 8 bytes big-endian: DAVE's MLS group id (channel) and credential identity (user). */
export function snowflakeBytes(id: Snowflake): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, toSnowflake(id));
  return out;
}

/** 8 bytes little-endian: the MLS-Exporter context of a sender's media key (DAVE "Sender key derivation"). */
export function snowflakeLittleEndian(id: Snowflake): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, toSnowflake(id), true);
  return out;
}

/** The user id a basic credential names, or undefined when the identity is not 8 bytes. */
export function snowflakeFromIdentity(identity: Uint8Array): string | undefined {
  if (identity.length !== 8) return undefined;
  return new DataView(identity.buffer, identity.byteOffset, 8).getBigUint64(0).toString();
}
