import { fromBase64 } from "../bytes.js";
import { ParleyClientError } from "../errors.js";

/*
 * Response validation: every field the client uses is checked for presence and type before use, so a server that
 * answers garbage produces a `malformed-response` error naming the route and field, never a crash deeper down.
 */

export function malformed(route: string, what: string): ParleyClientError {
  return new ParleyClientError("malformed-response", `${route}: ${what}`);
}

export function object(route: string, value: unknown, what = "body"): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw malformed(route, `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

export function array(route: string, value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw malformed(route, `${what} is not an array`);
  return value;
}

export function integer(route: string, value: unknown, what: string, min = 0): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min)
    throw malformed(route, `${what} is not an integer ≥ ${min}`);
  return value;
}

export function string(route: string, value: unknown, what: string, pattern?: RegExp): string {
  if (typeof value !== "string" || (pattern && !pattern.test(value)))
    throw malformed(route, `${what} is not a valid string`);
  return value;
}

export function boolean(route: string, value: unknown, what: string): boolean {
  if (typeof value !== "boolean") throw malformed(route, `${what} is not a boolean`);
  return value;
}

export function bytes(route: string, value: unknown, what: string): Uint8Array {
  const decoded = typeof value === "string" ? fromBase64(value) : undefined;
  if (decoded === undefined || decoded.length === 0) throw malformed(route, `${what} is not base64 data`);
  return decoded;
}

export const DEVICE_ID = /^[0-9a-f]{64}$/;
export const GROUP_ID = /^[A-Za-z0-9_-]{1,344}$/;
