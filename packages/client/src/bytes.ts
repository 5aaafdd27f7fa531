import { createHash } from "node:crypto";

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const fromUtf8 = (b: Uint8Array): string => new TextDecoder("utf-8", { fatal: true }).decode(b);
export const toBase64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");
export const toBase64Url = (b: Uint8Array): string => Buffer.from(b).toString("base64url");
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
export const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "hex"));
export const fromBase64Url = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64url"));
export const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash("sha256").update(b).digest());

/** Strict base64 (standard alphabet, padding optional): undefined when `s` is anything else. */
export function fromBase64(s: string): Uint8Array | undefined {
  if (s.length % 4 === 1 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return new Uint8Array(Buffer.from(s, "base64"));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}
