import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadSuite, MlsGroup, type MlsSuite } from "@parley/mls";
import { type Backend, call, loginDevice, postgresAvailable, startServer } from "./harness.js";
import { openEvents } from "./sse.js";

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];
const options = { timeout: 60_000 };

/** Alice's laptop and phone, each with an open event stream. */
async function twoDevices(u: string, suite: MlsSuite) {
  const laptop = await loginDevice(u, suite, "alice");
  const phone = await loginDevice(u, suite, "alice");
  const laptopEvents = openEvents(u, laptop.token);
  const phoneEvents = openEvents(u, phone.token);
  await Promise.all([laptopEvents.connected, phoneEvents.connected]);
  return { laptop, phone, laptopEvents, phoneEvents };
}

/** Whether `device`'s stream is still live: it hears of a group the device creates. */
async function stillLive(
  u: string,
  suite: MlsSuite,
  device: Awaited<ReturnType<typeof loginDevice>>,
  events: ReturnType<typeof openEvents>,
) {
  const group = await MlsGroup.create(suite, await device.keyPackage());
  const gid = Buffer.from(group.groupId).toString("base64url");
  assert.equal(
    (await call(u, "POST", "/v1/groups", { token: device.token, body: { groupId: gid } })).status,
    201,
  );
  await events.until((es) => es.some((e) => e.event === "membership" && e.data.groupId === gid));
}

for (const backend of backends) {
  describe(`event streams end with their sessions (${backend})`, () => {
    test("logout ends the stream of that session only", options, async () => {
      const server = await startServer(backend);
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const { laptop, phone, laptopEvents, phoneEvents } = await twoDevices(u, suite);
        assert.equal((await call(u, "DELETE", "/v1/sessions/current", { token: phone.token })).status, 204);
        await phoneEvents.ended;
        await stillLive(u, suite, laptop, laptopEvents);
        await laptopEvents.close();
      } finally {
        await server.close();
      }
    });

    test("revoking a device ends its streams", options, async () => {
      const server = await startServer(backend);
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const { laptop, phone, laptopEvents, phoneEvents } = await twoDevices(u, suite);
        assert.equal(
          (await call(u, "DELETE", `/v1/devices/${phone.deviceId}`, { token: laptop.token })).status,
          204,
        );
        await phoneEvents.ended;
        await stillLive(u, suite, laptop, laptopEvents);
        await laptopEvents.close();
      } finally {
        await server.close();
      }
    });

    test("a password change ends the account's other sessions' streams, not its own", options, async () => {
      const server = await startServer(backend);
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const { laptop, laptopEvents, phoneEvents } = await twoDevices(u, suite);
        const change = await call(u, "PUT", "/v1/account/password", {
          token: laptop.token,
          body: { currentPassword: "alice password", newPassword: "a brand new password" },
        });
        assert.equal(change.status, 204);
        await phoneEvents.ended;
        await stillLive(u, suite, laptop, laptopEvents);
        await laptopEvents.close();
      } finally {
        await server.close();
      }
    });

    test("a stream ends when its token expires", options, async () => {
      const server = await startServer(backend, { tokenLifetimeMs: 3000 });
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const alice = await loginDevice(u, suite, "alice");
        const login = await call(u, "POST", "/v1/sessions", { body: alice.credentials });
        const expiresAt = Number(login.body.expiresAt);
        const events = openEvents(u, String(login.body.token));
        await events.connected;
        await events.ended;
        assert.ok(Date.now() >= expiresAt - 5, `ended ${expiresAt - Date.now()} ms before the expiry`);
      } finally {
        await server.close();
      }
    });
  });
}
