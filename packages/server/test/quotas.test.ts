import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { generateSignatureKeyPair, loadSuite, MlsGroup } from "@parley/mls";
import { DEFAULT_CONFIG } from "../src/index.js";
import { type Backend, call, loginDevice, postgresAvailable, startServer } from "./harness.js";

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const limits = {
  ...DEFAULT_CONFIG.limits,
  devicesPerAccount: 3,
  keyPackagesPerAccount: 5,
  groupsPerAccount: 2,
};

for (const backend of backends) {
  describe(`per-account quotas (${backend})`, () => {
    test("devices: a 4th live device is 403 quota_exceeded; known devices log in; revoking makes room", async () => {
      const server = await startServer(backend, { limits });
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const devices = [];
        for (let i = 0; i < 3; i++) devices.push(await loginDevice(u, suite, "alice"));
        const fourth = {
          ...devices[0]?.credentials,
          signatureKey: b64((await generateSignatureKeyPair(suite)).publicKey),
        };
        const refused = await call(u, "POST", "/v1/sessions", { body: fourth });
        assert.equal(refused.status, 403);
        assert.deepEqual(
          [refused.body.error, refused.body.quota, refused.body.limit],
          ["quota_exceeded", "devices", 3],
        );
        const listed = await call(u, "GET", "/v1/devices", { token: devices[0]?.token });
        assert.equal((listed.body.devices as unknown[]).length, 3, "nothing stored");
        assert.equal((await call(u, "POST", "/v1/sessions", { body: devices[1]?.credentials })).status, 201);
        await call(u, "DELETE", `/v1/devices/${devices[2]?.deviceId}`, { token: devices[0]?.token });
        assert.equal((await call(u, "POST", "/v1/sessions", { body: fourth })).status, 201);
      } finally {
        await server.close();
      }
    });

    test("key packages: the account holds at most 5 unclaimed; a claim makes room", async () => {
      const server = await startServer(backend, { limits });
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const laptop = await loginDevice(u, suite, "bob");
        const phone = await loginDevice(u, suite, "bob");
        const alice = await loginDevice(u, suite, "alice");
        const upload = async (d: typeof laptop, n: number) => {
          const packages = await Promise.all(Array.from({ length: n }, () => d.keyPackage()));
          const body = { keyPackages: packages.map((p) => b64(p.message)) };
          return call(u, "POST", "/v1/key-packages", { token: d.token, body });
        };
        assert.equal((await upload(laptop, 3)).status, 201);
        const over = await upload(phone, 3);
        assert.equal(over.status, 403, "3 + 3 > 5 across the account's devices");
        assert.deepEqual(
          [over.body.error, over.body.quota, over.body.limit],
          ["quota_exceeded", "key packages", 5],
        );
        const count = await call(u, "GET", "/v1/key-packages/count", { token: phone.token });
        assert.equal(count.body.available, 0, "nothing stored");
        assert.equal((await upload(phone, 2)).status, 201, "exactly 5");
        assert.equal((await upload(phone, 1)).status, 403);
        await call(u, "POST", "/v1/users/bob/key-packages/claim", { token: alice.token });
        assert.equal((await upload(phone, 2)).status, 201, "two claimed, two more fit");
      } finally {
        await server.close();
      }
    });

    test("groups: a 3rd group by the account is 403 and is not created", async () => {
      const server = await startServer(backend, { limits });
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const alice = await loginDevice(u, suite, "alice");
        const bob = await loginDevice(u, suite, "bob");
        const create = async (d: typeof alice) => {
          const group = await MlsGroup.create(suite, await d.keyPackage());
          const groupId = Buffer.from(group.groupId).toString("base64url");
          return { groupId, r: await call(u, "POST", "/v1/groups", { token: d.token, body: { groupId } }) };
        };
        assert.equal((await create(alice)).r.status, 201);
        assert.equal((await create(alice)).r.status, 201);
        const third = await create(alice);
        assert.equal(third.r.status, 403);
        assert.deepEqual(
          [third.r.body.error, third.r.body.quota, third.r.body.limit],
          ["quota_exceeded", "groups", 2],
        );
        assert.equal(
          (await call(u, "GET", `/v1/groups/${third.groupId}`, { token: alice.token })).status,
          404,
          "not created",
        );
        assert.equal((await create(bob)).r.status, 201, "bob's quota is his own");
      } finally {
        await server.close();
      }
    });
  });
}
