import {
  inspectKeyPackage,
  type KeyPackageInfo,
  keyPackageRef,
  ParleyMlsError,
  verifyKeyPackageSignature,
} from "@parley/mls";
import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context.js";
import { namesDevice } from "../credentials.js";
import { ApiError, notFound } from "../errors.js";
import { ClaimLimits } from "../limits/claimLimits.js";
import { base64, bearer, errors, username } from "./schemas.js";

/** The authenticated device uploading: its account's username, its id and its signature key. */
interface Uploader {
  readonly username: string;
  readonly deviceId: string;
  readonly signatureKey: Uint8Array;
}

/**
 * A key package must speak for the device that uploads it: a basic credential of exactly `username/deviceId`.
 * Without this a member could publish, from her own account, a device whose credential names someone else.
 */
function checkCredential(info: KeyPackageInfo, device: Uploader, index: string): void {
  if (!namesDevice(info.credential, device.username, device.deviceId)) {
    const expected = `${device.username}/${device.deviceId}`;
    throw new ApiError(
      400,
      "credential_mismatch",
      `key package ${index}: its credential must be the basic identity "${expected}" of the uploading device`,
    );
  }
}

interface Upload {
  keyPackages: string[];
  lastResort?: string;
}

/** Key packages: a device uploads a batch (and one last-resort package); others claim one per device of a user. */
export function keyPackageRoutes(
  app: FastifyInstance,
  { store, config, now, authenticate }: ServerContext,
): void {
  const limits = new ClaimLimits(config.limits, now, store.db);
  const checked = async (device: Uploader, encoded: string, lastResort: boolean, index: string) => {
    const data = new Uint8Array(Buffer.from(encoded, "base64"));
    if (data.length > config.limits.keyPackageBytes) {
      throw new ApiError(
        413,
        "key_package_too_large",
        `key package ${index} exceeds ${config.limits.keyPackageBytes} bytes`,
      );
    }
    try {
      const info = inspectKeyPackage(data);
      if (info.version !== "mls10")
        throw new ApiError(400, "invalid_key_package", `key package ${index}: version ${info.version}`);
      if (!config.ciphersuites.includes(info.cipherSuite)) {
        throw new ApiError(
          400,
          "invalid_key_package",
          `key package ${index}: ciphersuite ${info.cipherSuite} is not accepted`,
        );
      }
      if (!Buffer.from(info.signatureKey).equals(Buffer.from(device.signatureKey))) {
        throw new ApiError(
          400,
          "invalid_key_package",
          `key package ${index} is not signed by this device's key`,
        );
      }
      checkCredential(info, device, index);
      if (info.lastResort !== lastResort) {
        throw new ApiError(
          400,
          "invalid_key_package",
          `key package ${index} ${lastResort ? "lacks" : "carries"} the last_resort extension`,
        );
      }
      if (!(await verifyKeyPackageSignature(data))) {
        throw new ApiError(400, "invalid_key_package", `key package ${index} has an invalid signature`);
      }
      return { ref: await keyPackageRef(data), data };
    } catch (err) {
      if (err instanceof ParleyMlsError)
        throw new ApiError(400, "invalid_key_package", `key package ${index}: ${err.message}`);
      throw err;
    }
  };

  app.post<{ Body: Upload }>(
    "/v1/key-packages",
    {
      preHandler: authenticate,
      schema: {
        summary: "Upload key packages (MLSMessage or bare KeyPackage, base64) for this device",
        tags: ["key packages"],
        security: bearer,
        body: {
          type: "object",
          required: ["keyPackages"],
          additionalProperties: false,
          properties: {
            keyPackages: { type: "array", maxItems: config.limits.keyPackagesPerUpload, items: base64 },
            lastResort: base64,
          },
        },
        response: {
          201: { type: "object", properties: { stored: { type: "integer" } } },
          ...errors(400, 401, 403, 413),
        },
      },
    },
    async (request, reply) => {
      const signatureKey = await store.deviceSignatureKey(request.auth.deviceId);
      const account = await store.credentials(request.auth.accountId);
      if (!signatureKey || !account) throw notFound("device");
      const device = { username: account.username, deviceId: request.auth.deviceId, signatureKey };
      const packages = [];
      for (const [i, kp] of request.body.keyPackages.entries())
        packages.push(await checked(device, kp, false, String(i)));
      const lastResort = request.body.lastResort
        ? await checked(device, request.body.lastResort, true, "lastResort")
        : undefined;
      await store.addKeyPackages(
        request.auth.deviceId,
        packages,
        lastResort,
        config.limits.keyPackagesPerAccount,
      );
      return reply.code(201).send({ stored: packages.length + (lastResort ? 1 : 0) });
    },
  );

  app.get(
    "/v1/key-packages/count",
    {
      preHandler: authenticate,
      schema: {
        summary: "How many unclaimed key packages this device has (replenish when low)",
        tags: ["key packages"],
        security: bearer,
        response: {
          200: {
            type: "object",
            properties: { available: { type: "integer" }, lastResort: { type: "boolean" } },
          },
          ...errors(401),
        },
      },
    },
    async (request) => store.keyPackageCount(request.auth.deviceId),
  );

  app.post<{ Params: { username: string } }>(
    "/v1/users/:username/key-packages/claim",
    {
      preHandler: authenticate,
      schema: {
        summary: "Claim one key package for each device of a user (rate-limited; 429 with Retry-After)",
        tags: ["key packages"],
        security: bearer,
        params: { type: "object", properties: { username } },
        response: {
          200: {
            type: "object",
            properties: {
              keyPackages: {
                type: "array",
                items: {
                  type: "object",
                  properties: { deviceId: { type: "string" }, keyPackage: { type: "string" } },
                },
              },
            },
          },
          ...errors(400, 401, 404, 429),
        },
      },
    },
    async (request) => {
      const { username } = request.params;
      await limits.admit(request.auth.accountId, username);
      const result = await store.claimKeyPackages(username, (deviceId) => limits.takeLastResort(deviceId));
      if (!result) throw notFound("user");
      if (result.claimed.length === 0 && result.withheld.length > 0) {
        throw limits.lastResortsWithheld(result.withheld);
      }
      return {
        keyPackages: result.claimed.map((c) => ({
          deviceId: c.deviceId,
          keyPackage: Buffer.from(c.keyPackage).toString("base64"),
        })),
      };
    },
  );
}
