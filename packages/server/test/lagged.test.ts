import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { test } from "node:test";
import { loadSuite, MlsGroup } from "@parley/mls";
import { DEFAULT_CONFIG } from "../src/index.js";
import { SseStream } from "../src/sseStream.js";
import { type Backend, call, loginDevice, postgresAvailable, startServer } from "./harness.js";
import { openEvents } from "./sse.js";

const _b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

test("a client that stops reading is told it lagged once its backlog passes the limit, then disconnected", async () => {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const client = connect(port, "127.0.0.1");
  client.pause();
  const [socket] = await accepted;
  let closed = false;
  const stream = new SseStream(socket, 0, 64 * 1024, () => {
    closed = true;
  });
  const blob = "x".repeat(10_000);
  for (let id = 1; id <= 2000 && !closed; id++) {
    stream.send({ id, type: "message", groupId: "g", seq: id, data: { blob } });
  }
  assert.ok(closed, "disconnected once the unread backlog passed 64 KiB");
  assert.ok(stream.lastEventId < 2000, "events after the lag were not queued");

  let received = "";
  client.setEncoding("utf8");
  client.on("data", (chunk: string) => {
    received += chunk;
  });
  client.resume();
  await once(client, "end");
  server.close();
  assert.ok(received.startsWith("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream"));
  assert.ok(received.endsWith(`event: lagged\ndata: {"lastEventId":${stream.lastEventId}}\n\n`));
  assert.equal(
    received.split("event: message\n").length - 1,
    stream.lastEventId,
    "nothing lost before the lag",
  );
});

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];

for (const backend of backends) {
  test(`a resume further back than sseReplayEvents gets lagged, to fetch instead (${backend})`, async () => {
    const server = await startServer(backend, { limits: { ...DEFAULT_CONFIG.limits, sseReplayEvents: 50 } });
    const u = server.url;
    try {
      const suite = await loadSuite(1);
      const alice = await loginDevice(u, suite, "alice");
      const token = alice.token;
      let group = await MlsGroup.create(suite, await alice.keyPackage());
      const gid = Buffer.from(group.groupId).toString("base64url");
      await call(u, "POST", "/v1/groups", { token, body: { groupId: gid } });
      for (let i = 0; i < 60; i++) {
        const m = await group.encrypt(new Uint8Array([i]));
        group = m.group;
        const r = await fetch(`${u}/v1/groups/${gid}/messages`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "message/mls" },
          body: m.message,
        });
        assert.equal(r.status, 201);
      }
      const far = openEvents(u, token, 0);
      await far.until((es) => es.some((e) => e.event === "lagged"));
      assert.equal(far.events.filter((e) => e.event === "message").length, 0);
      await far.close();

      // Event 1 is the group's creation, 2–61 the messages: 41 of them come after event 20.
      const near = openEvents(u, token, 20);
      await near.until((es) => es.filter((e) => e.event === "message").length === 41);
      assert.ok(!near.events.some((e) => e.event === "lagged"));
      await near.close();
    } finally {
      await server.close();
    }
  });
}
