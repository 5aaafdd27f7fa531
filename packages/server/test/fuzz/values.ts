import type { Random } from "@parley/testkit";

/** Integers as a query or header carries them: bounds, overflow, notation, junk. */
export const INTEGERS = [
  "0",
  "1",
  "-1",
  "2",
  "100",
  "1000",
  "1001",
  "1e3",
  "1e308",
  "-1e308",
  "Infinity",
  "-Infinity",
  "NaN",
  "9007199254740991",
  "9007199254740992",
  "9223372036854775807",
  "9223372036854775808",
  "18446744073709551616",
  "99999999999999999999999",
  "0x10",
  "1.5",
  "+1",
  "00001",
  "",
  " 1",
  "1 ",
  "true",
  "null",
  "[]",
  "١٢",
];

/** Strings that break naive code: NUL, control characters, lone surrogates, path tricks, sizes. */
export const NASTY_STRINGS = [
  "",
  "\u0000",
  "a\u0000b",
  "\u0007\u001b[31m",
  "\ud800",
  "😀",
  "é",
  "..",
  "../..",
  "/",
  "%",
  "%00",
  "%zz",
  "a b",
  "' OR 1=1 --",
  '"; DROP TABLE accounts; --',
  "$(reboot)",
  "__proto__",
  "constructor",
  "x".repeat(65),
  "x".repeat(5000),
];

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** A value of any JSON type, often a hostile one. */
export function junk(r: Random, depth = 0): unknown {
  switch (r.int(12)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53, 2 ** 64, Number.MAX_SAFE_INTEGER]);
    case 3:
      return r.pick(NASTY_STRINGS);
    case 4:
      return r.pick(INTEGERS);
    case 5:
      return depth > 2 ? [] : Array.from({ length: r.int(4) }, () => junk(r, depth + 1));
    case 6:
      return depth > 2 ? {} : { [r.pick(["a", "__proto__", "keyPackages", "x"])]: junk(r, depth + 1) };
    case 7:
      return nested(r.int(200));
    case 8:
      return Buffer.from(r.bytes(r.int(64))).toString("base64");
    case 9:
      return r.string(r.int(80), BASE64URL);
    case 10:
      return "0".repeat(64);
    default:
      return r.string(r.int(20), "abcdefghijklmnopqrstuvwxyz0123456789_.-");
  }
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** A JSON-like value with some of its fields dropped, replaced, or added. */
export function mutateJson(r: Random, value: unknown): unknown {
  if (r.chance(0.1)) return junk(r);
  if (Array.isArray(value)) {
    const items = value.map((v) => (r.chance(0.2) ? mutateJson(r, v) : v));
    if (r.chance(0.2)) items.push(junk(r));
    return r.chance(0.1) ? [] : items;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (r.chance(0.1)) continue;
      out[k] = r.chance(0.3) ? mutateJson(r, v) : v;
    }
    if (r.chance(0.1)) out[r.pick(["extra", "__proto__", "constructor", "added"])] = junk(r);
    return out;
  }
  return r.chance(0.5) ? junk(r) : value;
}

/** MLS bytes bit-flipped, cut, grown, spliced, their epoch field overwritten, or replaced. */
export function mutateBytes(r: Random, bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  switch (r.int(8)) {
    case 0: {
      for (let i = r.int(8) + 1; i > 0 && copy.length > 0; i--) {
        const at = r.int(copy.length);
        copy[at] = (copy[at] as number) ^ (1 << r.int(8));
      }
      return copy;
    }
    case 1:
      return copy.subarray(0, r.int(copy.length + 1));
    case 2:
      return Buffer.concat([copy, r.bytes(r.int(64) + 1)]);
    case 3: {
      const at = r.int(copy.length + 1);
      return Buffer.concat([copy.subarray(0, at), r.bytes(r.int(16) + 1), copy.subarray(at)]);
    }
    case 4: {
      // Eight 0xff bytes somewhere in the header: the epoch of a PrivateMessage, or a length prefix.
      const at = Math.min(copy.length, 4 + r.int(40));
      copy.fill(0xff, at, at + 8);
      return copy;
    }
    case 5:
      return r.bytes(r.int(200));
    case 6:
      return new Uint8Array(0);
    default:
      return copy;
  }
}

/** A PrivateMessage with its clear header's epoch set (RFC 9420 §6.3.1: after version, wire format, group id). */
export function withEpoch(message: Uint8Array, epoch: number): Uint8Array {
  const copy = new Uint8Array(message);
  const first = copy[4] ?? 0;
  const size = 1 << (first >>> 6);
  let length = first & 0x3f;
  for (let i = 1; i < size; i++) length = length * 256 + (copy[4 + i] ?? 0);
  new DataView(copy.buffer).setBigUint64(4 + size + length, BigInt(epoch));
  return copy;
}

export const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** Percent-encode, lone surrogates included (as U+FFFD, which is what UTF-8 can carry of them). */
export const uri = (s: string) => encodeURIComponent(Buffer.from(s).toString());
