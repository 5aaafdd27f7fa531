import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";
import { notFound } from "../errors.js";
import { bearer, deviceId, errors } from "./schemas.js";

const deviceIdParam = { type: "object", properties: { deviceId } } as const;

/** The account's devices: list them, and revoke one (a lost or retired device). */
export function deviceRoutes(app: FastifyInstance, { store, authenticate, streams }: ServerContext): void {
  app.get(
    "/v1/devices",
    {
      preHandler: authenticate,
      schema: {
        summary: "This account's devices, oldest first",
        tags: ["accounts"],
        security: bearer,
        response: {
          200: {
            type: "object",
            properties: {
              devices: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    deviceId: { type: "string" },
                    signatureKey: { type: "string" },
                    createdAt: { type: "integer" },
                    revoked: { type: "boolean" },
                    current: { type: "boolean" },
                  },
                },
              },
            },
          },
          ...errors(401),
        },
      },
    },
    async (request) => ({
      devices: (await store.devices(request.auth.accountId)).map((d) => ({
        deviceId: d.id,
        signatureKey: Buffer.from(d.signatureKey).toString("base64"),
        createdAt: d.createdAt,
        revoked: d.revokedAt !== null,
        current: d.id === request.auth.deviceId,
      })),
    }),
  );

  app.delete<{ Params: { deviceId: string } }>(
    "/v1/devices/:deviceId",
    {
      preHandler: authenticate,
      schema: {
        summary:
          "Revoke one of this account's devices: its sessions end, it cannot log in again, its key packages are withdrawn; members then commit its removal from each group",
        tags: ["accounts"],
        security: bearer,
        params: deviceIdParam,
        response: { 204: { type: "null" }, ...errors(400, 401, 404) },
      },
    },
    async (request, reply) => {
      if (!(await store.revokeDevice(request.auth.accountId, request.params.deviceId, Date.now()))) {
        throw notFound("device");
      }
      streams.endDevice(request.params.deviceId);
      return reply.code(204).send();
    },
  );
}
