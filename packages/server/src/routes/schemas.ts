/** JSON schemas shared by routes: they validate input and document the API in /openapi.json. */
export const errorBody = {
  type: "object",
  required: ["error", "message"],
  properties: {
    error: { type: "string" },
    message: { type: "string" },
    retryAfter: { type: "integer", description: "429: seconds until a retry may succeed (as Retry-After)" },
  },
} as const;

export const base64 = { type: "string", pattern: "^[A-Za-z0-9+/]*={0,2}$", description: "base64" } as const;

export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, errorBody]));

export const bearer = [{ bearer: [] }];
