import { daveyError } from "./errors.js";

/*
 * Argument conversion as davey's napi-rs bindings do it, with the same errors: a JavaScript value of the wrong
 * type, a number out of a Rust integer's range, a user or channel id that is not a u64.
 */

const U64_MAX = (1n << 64n) - 1n;

/** napi's name for a value's type, as in its conversion errors. */
function napiType(value: unknown): string {
  if (value === null) return "Null";
  const type = typeof value;
  return type === "bigint" ? "BigInt" : type.charAt(0).toUpperCase() + type.slice(1);
}

function describe(value: unknown): string {
  const type = napiType(value);
  if (type === "Undefined" || type === "Null") return type;
  if (type === "Object" || type === "Function") return `${type} {}`;
  return `${type} ${String(value)} `;
}

export function stringArg(value: unknown): string {
  if (typeof value === "string") return value;
  throw daveyError(
    `Failed to convert JavaScript value \`${describe(value)}\` into rust type \`String\``,
    "StringExpected",
  );
}

/** A u64 in decimal, as Rust's `str::parse::<u64>` reads it (an optional `+`, leading zeros allowed). */
export function snowflakeArg(value: unknown, what: string): string {
  const text = stringArg(value);
  if (/^\+?\d{1,64}$/.test(text)) {
    const id = BigInt(text);
    if (id <= U64_MAX) return id.toString();
  }
  throw daveyError(`Invalid ${what}`, "InvalidArg");
}

/** JavaScript's ToUint32, as napi converts a number to u32. */
export function u32Arg(value: unknown): number {
  if (typeof value !== "number") {
    throw daveyError(
      `Failed to convert napi value ${napiType(value)} into rust type \`u32\``,
      "NumberExpected",
    );
  }
  return value >>> 0;
}

export function u16Arg(value: unknown): number {
  if (typeof value !== "number") {
    throw daveyError(
      `Failed to convert napi value ${napiType(value)} into rust type \`u16\``,
      "NumberExpected",
    );
  }
  const n = value >>> 0;
  if (n > 0xffff) throw daveyError("Failed to convert u32 to u16");
  return n;
}

export function booleanArg(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  throw daveyError("Failed to convert napi value into rust type `bool`", "BooleanExpected");
}

export function bufferArg(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw daveyError("Failed to create reference from Buffer", "InvalidArg");
}

/** A member of one of davey's enums (napi reads it as an i32). */
export function enumArg<V extends number>(
  values: Readonly<Record<string, V>>,
  name: string,
  value: unknown,
): V {
  if (typeof value !== "number") {
    throw daveyError(
      `Failed to convert napi value into enum \`${name}\`. NumberExpected, Failed to convert napi value ${napiType(value)} into rust type \`i32\``,
      "NumberExpected",
    );
  }
  const n = value | 0;
  const member = Object.values(values).find((v) => v === n);
  if (member === undefined)
    throw daveyError(`value \`${n}\` does not match any variant of enum \`${name}\``, "InvalidArg");
  return member;
}

/** An optional array of user ids: null when absent. */
export function userIdsArg(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) throw daveyError("Given napi value is not an array", "InvalidArg");
  return value.map((id) => snowflakeArg(id, "recognized user id"));
}

/** davey's SigningKeyPair object: `private` and `public` buffers. */
export function keyPairArg(value: unknown): { private: Uint8Array; public: Uint8Array } | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object") {
    throw daveyError(
      `Failed to convert napi value ${napiType(value)} into rust type \`SigningKeyPair\``,
      "ObjectExpected",
    );
  }
  const fields = value as Record<string, unknown>;
  for (const field of ["private", "public"]) {
    if (fields[field] === undefined) throw daveyError(`Missing field \`${field}\``, "InvalidArg");
  }
  return { private: bufferArg(fields.private).slice(), public: bufferArg(fields.public).slice() };
}
