import { inspectMessage, type MessageInfo, ParleyMlsError } from "@parley/mls";
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";
import { ApiError, notFound } from "../errors.js";
import type { EventBus } from "../eventBus.js";
import type { GroupStore } from "../storage/groups.js";
import { checkInitialGroupInfo, checkUnviewedCommit, checkViewedCommit } from "./commitCheck.js";
import { GroupViews } from "./groupViews.js";
import { base64, bearer, cursor, deviceId, errors, MAX_INTEGER, queryInteger } from "./schemas.js";
import { checkWelcomes, welcomeRoutes } from "./welcomes.js";

const decode = (text: string) => new Uint8Array(Buffer.from(text, "base64"));
const encode = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const groupIdParam = {
  type: "object",
  properties: {
    groupId: { type: "string", pattern: "^[A-Za-z0-9_-]{1,344}$", description: "base64url MLS group id" },
  },
} as const;

/** An MLS epoch as a number; one past MAX_INTEGER no group can be at (and no BIGINT column holds). */
/** How many groups' verified public views the commit route keeps (see GroupViews). */
const VIEW_CACHE_GROUPS = 256;

function epochOf(info: { epoch: bigint }, what: string): number {
  if (info.epoch > BigInt(MAX_INTEGER)) throw new ApiError(400, "invalid_mls", `${what}: epoch out of range`);
  return Number(info.epoch);
}

function inspect(bytes: Uint8Array, what: string): MessageInfo {
  try {
    return inspectMessage(bytes);
  } catch (err) {
    if (err instanceof ParleyMlsError) throw new ApiError(400, "invalid_mls", `${what}: ${err.message}`);
    throw err;
  }
}

interface BundleBody {
  commit: string;
  groupInfo?: string;
  welcomes?: { deviceIds: string[]; welcome: string }[];
  added?: string[];
  removed?: string[];
}

/** Groups: creation, epoch-fenced commit bundles, ordered application messages, Welcomes to inboxes. */
export function groupRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  groups: GroupStore,
  bus: EventBus,
): void {
  const { config, authenticate } = ctx;
  const views = new GroupViews(VIEW_CACHE_GROUPS);
  const member = async (groupId: string, deviceId: string) => {
    const group = await groups.forMember(groupId, deviceId);
    if (!group) throw notFound("group");
    return group;
  };
  const sameGroup = (info: { groupId: Uint8Array }, groupId: string, what: string) => {
    if (Buffer.from(info.groupId).toString("base64url") !== groupId) {
      throw new ApiError(400, "wrong_group", `${what} is for another group`);
    }
  };

  app.post<{ Body: { groupId: string; groupInfo?: string } }>(
    "/v1/groups",
    {
      preHandler: authenticate,
      schema: {
        summary: "Register a group (epoch 0) with this device as its first member",
        tags: ["groups"],
        security: bearer,
        body: {
          type: "object",
          required: ["groupId"],
          additionalProperties: false,
          properties: { groupId: groupIdParam.properties.groupId, groupInfo: base64 },
        },
        response: {
          201: { type: "object", properties: { groupId: { type: "string" }, epoch: { type: "integer" } } },
          ...errors(400, 401, 403, 409),
        },
      },
    },
    async (request, reply) => {
      const groupInfo = request.body.groupInfo ? decode(request.body.groupInfo) : undefined;
      const { deviceId, accountId } = request.auth;
      if (groupInfo) {
        const view = await checkInitialGroupInfo(groups, groupInfo, deviceId);
        sameGroup(view, request.body.groupId, "groupInfo");
      }
      const events = await groups.create(
        request.body.groupId,
        { deviceId, accountId },
        groupInfo,
        config.limits.groupsPerAccount,
      );
      bus.publish(events);
      return reply.code(201).send({ groupId: request.body.groupId, epoch: 0 });
    },
  );

  app.get<{ Params: { groupId: string } }>(
    "/v1/groups/:groupId",
    {
      preHandler: authenticate,
      schema: {
        summary: "The group's current epoch and next sequence number (to resolve an ambiguous commit)",
        tags: ["groups"],
        security: bearer,
        params: groupIdParam,
        response: {
          200: { type: "object", properties: { epoch: { type: "integer" }, nextSeq: { type: "integer" } } },
          ...errors(401, 404),
        },
      },
    },
    async (request) => member(request.params.groupId, request.auth.deviceId),
  );

  app.post<{ Params: { groupId: string }; Body: BundleBody }>(
    "/v1/groups/:groupId/commits",
    {
      preHandler: authenticate,
      schema: {
        summary:
          "Post a commit bundle (a PublicMessage commit and the next GroupInfo, checked against the group's public view); accepted only for the group's current epoch (else 409 with it)",
        tags: ["groups"],
        security: bearer,
        params: groupIdParam,
        body: {
          type: "object",
          required: ["commit"],
          additionalProperties: false,
          properties: {
            commit: base64,
            groupInfo: base64,
            welcomes: {
              type: "array",
              maxItems: 1000,
              items: {
                type: "object",
                required: ["deviceIds", "welcome"],
                additionalProperties: false,
                properties: {
                  deviceIds: { type: "array", maxItems: 1000, items: deviceId },
                  welcome: base64,
                },
              },
            },
            added: { type: "array", maxItems: 1000, items: deviceId },
            removed: { type: "array", maxItems: 1000, items: deviceId },
          },
        },
        response: {
          201: { type: "object", properties: { seq: { type: "integer" }, epoch: { type: "integer" } } },
          409: {
            type: "object",
            properties: {
              error: { type: "string" },
              message: { type: "string" },
              currentEpoch: { type: "integer" },
            },
          },
          ...errors(400, 401, 404, 413, 429),
        },
      },
    },
    async (request, reply) => {
      const { groupId } = request.params;
      const { deviceId, accountId } = request.auth;
      const isMember = (await groups.forMember(groupId, deviceId)) !== undefined;
      const commit = decode(request.body.commit);
      const info = inspect(commit, "commit");
      if (info.wireFormat === "mls_private_message" && info.contentType === "commit") {
        throw new ApiError(
          400,
          "commit_not_public",
          "commits must be PublicMessages: the server checks them",
        );
      }
      if (info.wireFormat !== "mls_public_message" || info.contentType !== "commit") {
        throw new ApiError(400, "invalid_mls", "commit is not an MLS commit message");
      }
      const external = info.sender.type === "new_member_commit";
      // A non-member may only join by external commit, and only beside a device of its own account.
      if (!isMember && !(external && (await groups.accountIsMember(groupId, accountId)))) {
        throw notFound("group");
      }
      sameGroup(info, groupId, "commit");
      const epoch = epochOf(info, "commit");
      const groupInfo = request.body.groupInfo ? decode(request.body.groupInfo) : undefined;
      const checkRequest = {
        commit,
        groupInfo,
        deviceId,
        declared: { added: request.body.added ?? [], removed: request.body.removed ?? [] },
      };
      const stored = await groups.groupInfo(groupId);
      const checkedCommit = stored
        ? await checkViewedCommit(groups, groupId, await views.of(groupId, stored), checkRequest)
        : await checkUnviewedCommit({ ...info, external }, checkRequest);
      const { added, removed } = checkedCommit;
      if (external && (request.body.welcomes ?? []).length > 0) {
        throw new ApiError(400, "membership_mismatch", "an external commit has no Welcomes");
      }
      const welcomes = checkWelcomes(request.body.welcomes ?? [], added, config.limits.welcomeBytes);
      const result = await groups.commit(
        groupId,
        request.auth.deviceId,
        {
          epoch,
          commit,
          welcomes,
          added,
          removed,
          ...(groupInfo ? { groupInfo } : {}),
        },
        config.limits.maxGroupSize,
        config.limits.pendingWelcomesPerDevice,
      );
      if (groupInfo && checkedCommit.next) views.remember(groupId, groupInfo, checkedCommit.next);
      bus.publish(result.events);
      return reply.code(201).send({ seq: result.seq, epoch: result.epoch });
    },
  );

  app.get<{ Params: { groupId: string } }>(
    "/v1/groups/:groupId/group-info",
    {
      preHandler: authenticate,
      schema: {
        summary: "The latest GroupInfo, for external joins by devices of an account that has a member device",
        tags: ["groups"],
        security: bearer,
        params: groupIdParam,
        response: {
          200: { type: "object", properties: { groupInfo: { type: "string" } } },
          ...errors(401, 404),
        },
      },
    },
    async (request) => {
      const { groupId } = request.params;
      if (!(await groups.accountIsMember(groupId, request.auth.accountId))) throw notFound("group");
      const info = await groups.groupInfo(groupId);
      if (!info) throw notFound("group info");
      return { groupInfo: encode(info) };
    },
  );

  app.post<{ Params: { groupId: string }; Body: Buffer | { message: string } }>(
    "/v1/groups/:groupId/messages",
    {
      preHandler: authenticate,
      schema: {
        summary:
          "Post an application message (a `message/mls` body, or JSON `{ message: base64 }`); `Idempotency-Key` makes retries safe",
        tags: ["messages"],
        security: bearer,
        params: groupIdParam,
        response: {
          201: { type: "object", properties: { seq: { type: "integer" } } },
          200: { type: "object", properties: { seq: { type: "integer" } } },
          ...errors(400, 401, 404, 409, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const { groupId } = request.params;
      const body = request.body;
      const data = Buffer.isBuffer(body)
        ? new Uint8Array(body)
        : typeof body?.message === "string"
          ? decode(body.message)
          : undefined;
      if (!data || data.length === 0)
        throw new ApiError(400, "invalid_request", "the body must be an MLS message");
      const info = inspect(data, "message");
      if (info.wireFormat !== "mls_private_message" || info.contentType !== "application") {
        throw new ApiError(
          400,
          "invalid_mls",
          "application messages must be PrivateMessages with application content",
        );
      }
      sameGroup(info, groupId, "message");
      const key = request.headers["idempotency-key"];
      if (key !== undefined && (typeof key !== "string" || key.length === 0 || key.length > 128)) {
        throw new ApiError(400, "invalid_request", "Idempotency-Key must be 1–128 characters");
      }
      const result = await groups.post(
        groupId,
        request.auth.deviceId,
        { epoch: epochOf(info, "message"), data, ...(key ? { idempotencyKey: key } : {}) },
        config.limits.pastEpochs,
      );
      bus.publish(result.events);
      return reply.code(result.duplicate ? 200 : 201).send({ seq: result.seq });
    },
  );

  app.get<{ Params: { groupId: string }; Querystring: { after?: number; limit?: number } }>(
    "/v1/groups/:groupId/messages",
    {
      preHandler: authenticate,
      schema: {
        summary: "Commits and application messages after `after`, in order",
        tags: ["messages"],
        security: bearer,
        params: groupIdParam,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            after: { ...cursor, default: 0 },
            limit: { ...queryInteger(1, 1000), default: 100 },
          },
        },
        response: {
          200: {
            type: "object",
            properties: {
              messages: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    seq: { type: "integer" },
                    kind: { type: "string" },
                    epoch: { type: "integer" },
                    sender: { type: "string" },
                    message: { type: "string" },
                  },
                },
              },
            },
          },
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const list = await groups.messages(
        request.params.groupId,
        request.auth.deviceId,
        request.query.after ?? 0,
        request.query.limit ?? 100,
      );
      if (!list) throw notFound("group");
      return {
        messages: list.map((m) => ({
          seq: m.seq,
          kind: m.kind,
          epoch: m.epoch,
          sender: m.senderDevice,
          message: encode(m.data),
        })),
      };
    },
  );

  welcomeRoutes(app, ctx, groups);
}
