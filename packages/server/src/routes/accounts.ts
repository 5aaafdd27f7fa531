import type { FastifyInstance } from "fastify";
import { AttemptGuard } from "../auth/attemptGuard.js";
import { hashPassword, verifyPassword } from "../auth/passwords.js";
import { deviceIdOf, newToken, sameSecret } from "../auth/tokens.js";
import type { ServerContext } from "../context.js";
import { ApiError } from "../errors.js";
import { addressKey } from "../limits/clientAddress.js";
import { base64, bearer, errors, username } from "./schemas.js";

const credentials = {
  username,
  password: { type: "string", minLength: 8, maxLength: 1024 },
} as const;

/** Accounts and device sessions: register, log in (which registers the device), log out, change password. */
export function accountRoutes(
  app: FastifyInstance,
  { store, config, now, authenticate, streams }: ServerContext,
): void {
  const guard = new AttemptGuard(config.limits, now, store.db);

  app.post<{ Body: { username: string; password: string; registrationToken?: string } }>(
    "/v1/accounts",
    {
      schema: {
        summary: "Register an account",
        tags: ["accounts"],
        body: {
          type: "object",
          required: ["username", "password"],
          additionalProperties: false,
          properties: { ...credentials, registrationToken: { type: "string", maxLength: 256 } },
        },
        response: {
          201: { type: "object", properties: { accountId: { type: "string" } } },
          ...errors(400, 403, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const { username, password, registrationToken } = request.body;
      const attempt = await guard.registration(addressKey(request.ip));
      const expected = config.registrationToken;
      if (expected !== undefined && !sameSecret(registrationToken ?? "", expected)) {
        throw new ApiError(403, "registration_closed", "registration needs a valid registration token");
      }
      const accountId = await store.createAccount(username, await hashPassword(password));
      await attempt.succeeded();
      return reply.code(201).send({ accountId });
    },
  );

  app.post<{ Body: { username: string; password: string; signatureKey: string } }>(
    "/v1/sessions",
    {
      schema: {
        summary: "Log in a device; the device is identified by its MLS signature key",
        tags: ["accounts"],
        body: {
          type: "object",
          required: ["username", "password", "signatureKey"],
          additionalProperties: false,
          properties: { ...credentials, signatureKey: { ...base64, minLength: 4, maxLength: 4096 } },
        },
        response: {
          201: {
            type: "object",
            properties: {
              token: { type: "string" },
              deviceId: { type: "string" },
              expiresAt: { type: "number" },
            },
          },
          ...errors(400, 401, 403, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const { username, password, signatureKey } = request.body;
      const attempt = await guard.password(username, addressKey(request.ip));
      const account = await store.account(username);
      // Hash even for an unknown user, so timing does not reveal which usernames exist.
      let ok = false;
      if (account) ok = await verifyPassword(password, account.passwordHash);
      else await hashPassword(password);
      if (!account || !ok) throw new ApiError(401, "bad_credentials", "wrong username or password");
      await attempt.succeeded();
      const key = new Uint8Array(Buffer.from(signatureKey, "base64"));
      const deviceId = deviceIdOf(key);
      const { token, hash } = newToken();
      const expiresAt = now() + config.tokenLifetimeMs;
      const device = { id: deviceId, signatureKey: key };
      await store.openSession(account.id, device, hash, expiresAt, config.limits.devicesPerAccount);
      return reply.code(201).send({ token, deviceId, expiresAt });
    },
  );

  app.delete(
    "/v1/sessions/current",
    {
      preHandler: authenticate,
      schema: {
        summary: "Log out this device session",
        tags: ["accounts"],
        security: bearer,
        response: { 204: { type: "null" }, ...errors(401) },
      },
    },
    async (request, reply) => {
      await store.closeSession(request.auth.tokenHash);
      streams.endSession(request.auth.tokenHash);
      return reply.code(204).send();
    },
  );

  app.put<{ Body: { currentPassword: string; newPassword: string } }>(
    "/v1/account/password",
    {
      preHandler: authenticate,
      schema: {
        summary: "Change the password; other sessions are signed out",
        tags: ["accounts"],
        security: bearer,
        body: {
          type: "object",
          required: ["currentPassword", "newPassword"],
          additionalProperties: false,
          properties: { currentPassword: credentials.password, newPassword: credentials.password },
        },
        response: { 204: { type: "null" }, ...errors(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const stored = await store.credentials(request.auth.accountId);
      if (!stored) throw new ApiError(403, "bad_credentials", "the current password is wrong");
      const attempt = await guard.password(stored.username, addressKey(request.ip));
      if (!(await verifyPassword(request.body.currentPassword, stored.passwordHash))) {
        throw new ApiError(403, "bad_credentials", "the current password is wrong");
      }
      await attempt.succeeded();
      await store.changePassword(
        request.auth.accountId,
        await hashPassword(request.body.newPassword),
        request.auth.tokenHash,
      );
      streams.endAccountExcept(request.auth.accountId, request.auth.tokenHash);
      return reply.code(204).send();
    },
  );
}
