/** JSON schemas shared by routes: they validate input and document the API in /openapi.json. */
export const errorBody = {
  type: "object",
  required: ["error", "message"],
  properties: {
    error: { type: "string" },
    message: { type: "string" },
    retryAfter: { type: "integer", description: "429: seconds until a retry may succeed (as Retry-After)" },
    quota: { type: "string", description: "quota_exceeded: which quota (devices, key packages, groups)" },
    limit: { type: "integer", description: "quota_exceeded: the quota's size" },
  },
} as const;

export const base64 = { type: "string", pattern: "^[A-Za-z0-9+/]*={0,2}$", description: "base64" } as const;

export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, errorBody]));

export const bearer = [{ bearer: [] }];

/** The largest integer a client may send: JavaScript's safe range, which also fits a 64-bit BIGINT. */
export const MAX_INTEGER = Number.MAX_SAFE_INTEGER;

/**
 * An integer from `minimum` to `maximum` in a query string. Ajv coerces the string "Infinity" to a number after
 * its type check and skips the bounds of non-finite numbers; a second pass sees a number, which it does not
 * coerce, and refuses it.
 */
export function queryInteger(minimum: number, maximum: number) {
  const once = { type: "integer", minimum, maximum } as const;
  return { allOf: [once, once] } as const;
}

/** A position in a sequence (`after`, event ids): an integer from 0 to MAX_INTEGER. */
export const cursor = queryInteger(0, MAX_INTEGER);

export const username = {
  type: "string",
  minLength: 1,
  maxLength: 64,
  pattern: "^[A-Za-z0-9_.-]+$",
} as const;

export const deviceId = {
  type: "string",
  pattern: "^[0-9a-f]{64}$",
  description: "SHA-256 of the device's signature key (hex)",
} as const;
