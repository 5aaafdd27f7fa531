import { inspectMessage, ParleyMlsError } from "@parley/mls";
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";
import { ApiError } from "../errors.js";
import type { GroupStore, InboxPage } from "../storage/groups.js";
import { bearer, cursor, errors, queryInteger } from "./schemas.js";

/** Welcomes of one commit, each decoded once, with the devices it is for. */
export interface CheckedWelcome {
  readonly deviceIds: string[];
  readonly welcome: Uint8Array;
}

/** A page of the inbox holds at most this many Welcome bytes (and a client may ask for fewer). */
export const MAX_PAGE_BYTES = 8 * 1024 * 1024;
const DEFAULT_PAGE_BYTES = 4 * 1024 * 1024;

function isWelcome(bytes: Uint8Array): boolean {
  try {
    return inspectMessage(bytes).wireFormat === "mls_welcome";
  } catch (err) {
    if (err instanceof ParleyMlsError) return false;
    throw err;
  }
}

/**
 * A commit's Welcomes may go only to the devices it adds, each device at most once, and each Welcome is bounded:
 * otherwise one request could fill any device's inbox (and its every sync) with copies.
 */
export function checkWelcomes(
  welcomes: readonly { deviceIds: string[]; welcome: string }[],
  added: readonly string[],
  maxBytes: number,
): CheckedWelcome[] {
  const allowed = new Set(added);
  const seen = new Set<string>();
  return welcomes.map((w) => {
    if (w.deviceIds.length === 0) throw new ApiError(400, "invalid_request", "a Welcome needs a recipient");
    for (const id of w.deviceIds) {
      if (seen.has(id))
        throw new ApiError(400, "duplicate_recipient", `device ${id} is named for more than one Welcome`);
      if (!allowed.has(id))
        throw new ApiError(400, "recipient_not_added", `device ${id} gets a Welcome but is not added`);
      seen.add(id);
    }
    const welcome = new Uint8Array(Buffer.from(w.welcome, "base64"));
    if (welcome.length > maxBytes)
      throw new ApiError(413, "welcome_too_large", `a Welcome may have at most ${maxBytes} bytes`);
    if (!isWelcome(welcome)) throw new ApiError(400, "invalid_mls", "welcome is not a Welcome");
    return { deviceIds: w.deviceIds, welcome };
  });
}

const encode = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** GET /v1/welcomes: the inbox in pages bounded by count and by bytes; fetching past an entry acknowledges it. */
export function welcomeRoutes(
  app: FastifyInstance,
  { authenticate }: ServerContext,
  groups: GroupStore,
): void {
  app.get<{ Querystring: { after?: number; limit?: number; maxBytes?: number } }>(
    "/v1/welcomes",
    {
      preHandler: authenticate,
      schema: {
        summary:
          "Welcomes addressed to this device after `after` (which acknowledges those up to it), in pages of at most `limit` entries and `maxBytes` Welcome bytes",
        tags: ["groups"],
        security: bearer,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            after: { ...cursor, default: 0 },
            limit: { ...queryInteger(1, 100), default: 100 },
            maxBytes: { ...queryInteger(1, MAX_PAGE_BYTES), default: DEFAULT_PAGE_BYTES },
          },
        },
        response: {
          200: {
            type: "object",
            properties: {
              welcomes: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    id: { type: "integer" },
                    groupId: { type: "string" },
                    size: { type: "integer" },
                    welcome: { type: "string" },
                  },
                },
              },
              more: { type: "boolean" },
            },
          },
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const { after = 0, limit = 100, maxBytes = DEFAULT_PAGE_BYTES } = request.query;
      const page: InboxPage = await groups.inbox(request.auth.deviceId, after, limit, maxBytes);
      return {
        welcomes: page.entries.map((w) => ({
          id: w.id,
          groupId: w.groupId,
          size: w.size,
          ...(w.welcome ? { welcome: encode(w.welcome) } : {}),
        })),
        more: page.more,
      };
    },
  );
}
