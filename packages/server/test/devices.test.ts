import assert from "node:assert/strict";
import { test } from "node:test";
import { loadSuite, MlsGroup } from "@parley/mls";
import { type Backend, call, loginDevice, postgresAvailable, startServer } from "./harness.js";
import { openEvents } from "./sse.js";

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];

for (const backend of backends) {
  test(`devices: list, revoke, and what a revoked device can no longer do (${backend})`, async () => {
    const server = await startServer(backend);
    const u = server.url;
    try {
      const suite = await loadSuite(1);
      const laptop = await loginDevice(u, suite, "alice");
      const phone = await loginDevice(u, suite, "alice");
      const bob = await loginDevice(u, suite, "bob");
      const upload = await call(u, "POST", "/v1/key-packages", {
        token: phone.token,
        body: { keyPackages: [b64((await phone.keyPackage()).message)] },
      });
      assert.equal(upload.status, 201);

      const listed = await call(u, "GET", "/v1/devices", { token: laptop.token });
      assert.deepEqual(
        (listed.body.devices as { deviceId: string; current: boolean; revoked: boolean }[]).map((d) => [
          d.deviceId,
          d.current,
          d.revoked,
        ]),
        [
          [laptop.deviceId, true, false],
          [phone.deviceId, false, false],
        ],
      );

      const revoke = (token: string, id: string) => call(u, "DELETE", `/v1/devices/${id}`, { token });
      assert.equal((await revoke(bob.token, phone.deviceId)).status, 404, "another account's device");
      assert.equal((await revoke(laptop.token, "nope")).status, 400);
      assert.equal((await revoke(laptop.token, phone.deviceId)).status, 204);
      assert.equal((await revoke(laptop.token, phone.deviceId)).status, 404, "already revoked");

      assert.equal(
        (await call(u, "GET", "/v1/devices", { token: phone.token })).status,
        401,
        "its session ended",
      );
      assert.equal(
        (await call(u, "POST", "/v1/sessions", { body: phone.credentials })).status,
        403,
        "it cannot log in",
      );
      const claimed = await call(u, "POST", "/v1/users/alice/key-packages/claim", { token: bob.token });
      assert.deepEqual(claimed.body.keyPackages, [], "its key packages were withdrawn");
      const after = await call(u, "GET", "/v1/devices", { token: laptop.token });
      assert.deepEqual(
        (after.body.devices as { revoked: boolean }[]).map((d) => d.revoked),
        [false, true],
      );
    } finally {
      await server.close();
    }
  });

  test(`a device's open event stream learns of a group it creates (${backend})`, async () => {
    const server = await startServer(backend);
    const u = server.url;
    try {
      const suite = await loadSuite(1);
      const alice = await loginDevice(u, suite, "alice");
      const events = openEvents(u, alice.token);
      await events.connected;
      let group = await MlsGroup.create(suite, await alice.keyPackage());
      const gid = Buffer.from(group.groupId).toString("base64url");
      await call(u, "POST", "/v1/groups", { token: alice.token, body: { groupId: gid } });
      const m = await group.encrypt(new Uint8Array([7]));
      group = m.group;
      await fetch(`${u}/v1/groups/${gid}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice.token}`, "content-type": "message/mls" },
        body: m.message,
      });
      await events.until((es) => es.some((e) => e.event === "message"));
      assert.deepEqual(
        events.events.map((e) => [e.event, e.data.groupId]),
        [
          ["membership", gid],
          ["message", gid],
        ],
      );
      await events.close();
    } finally {
      await server.close();
    }
  });
}
