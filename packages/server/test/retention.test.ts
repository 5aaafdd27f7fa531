import assert from "node:assert/strict";
import { test } from "node:test";
import { loadSuite, MlsGroup } from "@parley/mls";
import { DEFAULT_CONFIG } from "../src/index.js";
import { type Backend, call, loginDevice, postgresAvailable, startServer } from "./harness.js";
import { openEvents } from "./sse.js";

const _b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];

for (const backend of backends) {
  test(`retention: a server started with a short retention deletes old messages; sequence numbers go on (${backend})`, async () => {
    const first = await startServer(backend, { limits: { ...DEFAULT_CONFIG.limits, retentionMs: 0 } });
    try {
      const suite = await loadSuite(1);
      const u = first.url;
      const alice = await loginDevice(u, suite, "alice");
      const token = alice.token;
      let group = await MlsGroup.create(suite, await alice.keyPackage());
      const gid = Buffer.from(group.groupId).toString("base64url");
      await call(u, "POST", "/v1/groups", { token, body: { groupId: gid } });
      const post = async (base: string) => {
        const m = await group.encrypt(new Uint8Array([1, 2, 3]));
        group = m.group;
        const r = await fetch(`${base}/v1/groups/${gid}/messages`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "message/mls" },
          body: m.message,
        });
        return ((await r.json()) as { seq: number }).seq;
      };
      assert.deepEqual([await post(u), await post(u), await post(u)], [1, 2, 3]);
      const kept = await call(u, "GET", `/v1/groups/${gid}/messages`, { token });
      assert.equal((kept.body.messages as unknown[]).length, 3, "retention 0 keeps everything");
      await new Promise((r) => setTimeout(r, 20));

      // The same database under a server whose retention is 10 ms: its start-up sweep deletes the three.
      const second = await startServer(backend, {
        sqlitePath: first.config.sqlitePath,
        ...(first.config.databaseSchema ? { databaseSchema: first.config.databaseSchema } : {}),
        limits: { ...DEFAULT_CONFIG.limits, retentionMs: 10 },
      });
      try {
        const pruned = await call(second.url, "GET", `/v1/groups/${gid}/messages`, { token });
        assert.deepEqual(pruned.body.messages, []);
        const events = openEvents(second.url, token, 0);
        assert.equal(await post(second.url), 4, "sequence numbers are not reused");
        await events.until((es) => es.some((e) => e.event === "message"));
        assert.deepEqual(
          events.events.filter((e) => e.event === "message").map((e) => e.data.seq),
          [4],
          "pruned events are not replayed",
        );
        await events.close();
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  });
}
