import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ParleyClient, SqliteStore } from "../src/index.js";
import { collect, newClient, type Running, SMALL_POOL, startServer, until } from "./harness.js";

describe("delivery", () => {
  let server: Running;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it("a member offline for 1,000 messages catches up from its stored cursor, in order", async () => {
    const path = join(server.dir, "bob.db");
    const alice = await newClient(server.url, "alice");
    let bob = await newClient(server.url, "bob", { store: SqliteStore.open(path) });
    const carol = await newClient(server.url, "carol");
    const id = await alice.createConversation({ members: ["bob", "carol"] });
    await bob.sync();
    await carol.sync();
    await bob.close(); // offline

    for (let i = 0; i < 1000; i++) {
      await (i % 3 === 2 ? carol : alice).send(id, `message ${i}`);
      if (i === 500) await alice.updateKeys(id); // the catch-up crosses an epoch change
    }

    bob = await ParleyClient.open({ store: SqliteStore.open(path), keyPackagePool: SMALL_POOL });
    const seen = collect(bob, "message");
    const errors = collect(bob, "error");
    await bob.start({ live: false });
    assert.deepEqual(errors, []);
    assert.equal(seen.length, 1000);
    assert.deepEqual(
      seen.map((m) => m.text),
      Array.from({ length: 1000 }, (_, i) => `message ${i}`),
    );
    for (let i = 1; i < seen.length; i++) assert.ok((seen[i]?.seq ?? 0) > (seen[i - 1]?.seq ?? 0));
    assert.equal(bob.epoch(id), alice.epoch(id));
    assert.equal((await bob.history(id, { limit: 2000 })).length, 1000);

    // Nothing is delivered twice after a restart.
    await bob.close();
    bob = await ParleyClient.open({ store: SqliteStore.open(path), keyPackagePool: SMALL_POOL });
    const again = collect(bob, "message");
    await bob.start({ live: false });
    assert.equal(again.length, 0);
    await Promise.all([alice.close(), bob.close(), carol.close()]);
  });

  it("live: Welcomes and messages arrive over server-sent events without polling", async () => {
    const alice = await newClient(server.url, "ann", { live: true });
    const bob = await newClient(server.url, "ben", { live: true });
    await Promise.all([alice.connected(), bob.connected()]);
    const joined = collect(bob, "joined");
    const bobSeen = collect(bob, "message");
    const aliceSeen = collect(alice, "message");
    const id = await alice.createConversation({ name: "live", members: ["ben"] });
    await until(() => joined.length === 1, 5000, "Welcome over SSE");
    for (let i = 0; i < 20; i++) await alice.send(id, `a${i}`);
    await bob.send(id, "b0");
    await until(() => bobSeen.length === 20 && aliceSeen.length === 1, 10_000, "messages over SSE");
    assert.deepEqual(
      bobSeen.map((m) => m.text),
      Array.from({ length: 20 }, (_, i) => `a${i}`),
    );
    assert.equal(aliceSeen[0]?.text, "b0");
    await Promise.all([alice.close(), bob.close()]);
  });
});
