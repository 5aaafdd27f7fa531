import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadSuite, MlsGroup } from "@parley/mls";
import { type Backend, call, loginDevice, postgresAvailable, startServer } from "./harness.js";
import { openEvents } from "./sse.js";

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const text = (s: string) => new TextEncoder().encode(s);

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];

for (const backend of backends) {
  describe(`server-sent events (${backend})`, () => {
    test("live events, and Last-Event-ID resume that loses and duplicates nothing under load", async () => {
      const server = await startServer(backend);
      const u = server.url;
      try {
        const suite = await loadSuite(1);
        const alice = await loginDevice(u, suite, "alice");
        const bob = await loginDevice(u, suite, "bob");
        let a = await MlsGroup.create(suite, await alice.keyPackage());
        const gid = Buffer.from(a.groupId).toString("base64url");
        await call(u, "POST", "/v1/groups", { token: alice.token, body: { groupId: gid } });

        const bobEvents = openEvents(u, bob.token);
        await bobEvents.connected;
        const add = await a.commit({ add: [(await bob.keyPackage()).message], publicMessage: true });
        a = add.group;
        await call(u, "POST", `/v1/groups/${gid}/commits`, {
          token: alice.token,
          body: {
            commit: b64(add.commit),
            welcomes: [{ deviceIds: [bob.deviceId], welcome: b64(add.welcome as Uint8Array) }],
            added: [bob.deviceId],
          },
        });
        await bobEvents.until(
          (es) => es.some((e) => e.event === "welcome") && es.some((e) => e.event === "membership"),
        );

        const post = async (n: number) => {
          const m = await a.encrypt(text(`message ${n}`));
          a = m.group;
          const r = await fetch(`${u}/v1/groups/${gid}/messages`, {
            method: "POST",
            headers: { authorization: `Bearer ${alice.token}`, "content-type": "message/mls" },
            body: m.message,
          });
          return ((await r.json()) as { seq: number }).seq;
        };
        const firstSeqs = [];
        for (let i = 0; i < 20; i++) firstSeqs.push(await post(i));
        await bobEvents.until((es) => es.filter((e) => e.event === "message").length === 20);
        const seen = bobEvents.events.filter((e) => e.event === "message").map((e) => e.data.seq);
        assert.deepEqual(seen, firstSeqs);
        const lastId = bobEvents.events.at(-1)?.id as number;
        await bobEvents.close();

        // Offline: 200 more messages; then resume while 100 more arrive concurrently.
        const offline = [];
        for (let i = 0; i < 200; i++) offline.push(await post(100 + i));
        const resumed = openEvents(u, bob.token, lastId);
        const concurrent = [];
        for (let i = 0; i < 100; i++) concurrent.push(await post(1000 + i));
        await resumed.until((es) => es.filter((e) => e.event === "message").length === 300);
        // One more message is a barrier: the stream is in order, so once it is in, any event sent twice is too.
        const barrier = await post(2000);
        await resumed.until((es) => es.some((e) => e.event === "message" && e.data.seq === barrier));
        const ids = resumed.events.map((e) => e.id as number);
        assert.equal(new Set(ids).size, ids.length, "no duplicates");
        assert.ok(
          ids.every((id, i) => i === 0 || id > (ids[i - 1] as number)),
          "in order",
        );
        assert.ok((ids[0] as number) > lastId, "nothing from before the resume point");
        assert.deepEqual(
          resumed.events.filter((e) => e.event === "message").map((e) => e.data.seq),
          [...offline, ...concurrent, barrier],
          "every message exactly once",
        );
        await resumed.close();

        assert.equal((await call(u, "GET", "/v1/events", { token: "bogus" })).status, 401);
        const badResume = await fetch(`${u}/v1/events`, {
          headers: { authorization: `Bearer ${bob.token}`, "last-event-id": "x" },
        });
        assert.equal(badResume.status, 400);
      } finally {
        await server.close();
      }
    });
  });
}
