import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decodeGroup } from "@parley/mls";
import {
  HttpTransport,
  isClientError,
  MemoryStore,
  type ParleyClient,
  ParleyClientError,
} from "../src/index.js";
import { collect, hex, newClient, type Running, startServer } from "./harness.js";

describe("a conversation on a real server", () => {
  let server: Running;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it("three members: create, add, messages both ways, rename, remove", async () => {
    const [alice, bob, carol] = await Promise.all(
      ["alice", "bob", "carol"].map((n) => newClient(server.url, n)),
    );
    if (!alice || !bob || !carol) throw new Error("clients");
    const bobJoined = collect(bob, "joined");
    const id = await alice.createConversation({ name: "trio", members: ["bob", "carol"] });
    await bob.sync();
    await carol.sync();
    assert.deepEqual(bobJoined, [{ conversationId: id, name: "trio" }]);
    assert.equal(bob.epoch(id), 1);
    assert.equal(hex(alice.epochAuthenticator(id)), hex(bob.epochAuthenticator(id)));
    assert.equal(hex(alice.epochAuthenticator(id)), hex(carol.epochAuthenticator(id)));

    const bobMessages = collect(bob, "message");
    const aliceMessages = collect(alice, "message");
    await alice.send(id, "hello from alice");
    await bob.send(id, "hi alice");
    await carol.send(id, "carol here");
    await Promise.all([alice.sync(), bob.sync(), carol.sync()]);
    assert.deepEqual(
      bobMessages.map((m) => [m.sender.username, m.text]),
      [
        ["alice", "hello from alice"],
        ["carol", "carol here"],
      ],
    );
    assert.deepEqual(
      aliceMessages.map((m) => m.text),
      ["hi alice", "carol here"],
    );
    // Own messages are in the local history, at the server's sequence numbers.
    const history = await alice.history(id);
    assert.deepEqual(
      history.map((h) => [h.username, h.text]),
      [
        ["alice", "hello from alice"],
        ["bob", "hi alice"],
        ["carol", "carol here"],
      ],
    );

    // Members and verification codes agree across devices.
    const codes = (c: ParleyClient) => c.members(id).map((m) => `${m.username}:${m.verificationCode}`);
    assert.deepEqual(codes(alice), codes(bob));
    assert.equal(bob.members(id).find((m) => m.self)?.verificationCode, bob.verificationCode);
    assert.match(bob.verificationCode, /^\d{5}( \d{5}){5}$/);

    // Exporter secrets agree within an epoch.
    const ctx = new TextEncoder().encode("ctx");
    assert.equal(
      hex(await alice.exportSecret(id, "app", ctx, 32)),
      hex(await carol.exportSecret(id, "app", ctx, 32)),
    );

    const renamed = collect(carol, "renamed");
    await bob.rename(id, "the trio");
    await carol.sync();
    assert.deepEqual(
      renamed.map((r) => [r.conversationId, r.name, r.by?.username]),
      [[id, "the trio", "bob"]],
    );
    await alice.sync();
    assert.equal(alice.conversationList().find((c) => c.id === id)?.name, "the trio");

    const left = collect(carol, "left");
    const membership = collect(bob, "membership");
    await alice.removeMembers(id, ["carol"]);
    await bob.sync();
    await carol.sync();
    assert.deepEqual(left, [{ conversationId: id, reason: "removed" }]);
    assert.equal(membership.length, 1);
    assert.deepEqual(
      membership[0]?.removed.map((m) => m.username),
      ["carol"],
    );
    assert.equal(membership[0]?.by?.username, "alice");
    assert.equal(hex(alice.epochAuthenticator(id)), hex(bob.epochAuthenticator(id)));
    await Promise.all([alice.close(), bob.close(), carol.close()]);
  });

  it("a removed member can neither fetch nor decrypt what follows", async () => {
    const store = new MemoryStore();
    const aliceStore = new MemoryStore();
    const [alice, bob] = await Promise.all([
      newClient(server.url, "ann", { store: aliceStore }),
      newClient(server.url, "ben", { store }),
    ]);
    if (!alice || !bob) throw new Error("clients");
    const id = await alice.createConversation({ members: ["ben"] });
    await bob.sync();
    // Ben's last state, as it was stored on his device before the removal.
    const [record] = await store.loadConversations();
    assert.ok(record?.state);
    const stale = await decodeGroup(record.state, { validateCredential: () => true });

    await alice.removeMembers(id, ["ben"]);
    await alice.send(id, "after ben left");

    // Fetching: the server no longer shows Ben the group at all.
    const device = await store.loadDevice();
    assert.ok(device);
    const transport = new HttpTransport(server.url);
    transport.setToken(device.token);
    await assert.rejects(transport.fetchMessages(id, 0, 100), (err) => isClientError(err, "not-found"));

    // Decrypting: Alice's device sees the new message; Ben's old state cannot open it.
    const aliceLog = new HttpTransport(server.url);
    aliceLog.setToken((await aliceStore.loadDevice())?.token);
    const entries = await aliceLog.fetchMessages(id, 0, 100);
    const last = entries.at(-1);
    assert.equal(last?.kind, "application");
    await assert.rejects(stale.process(last.message));

    // And the client learns it was removed.
    const left = collect(bob, "left");
    await bob.sync();
    assert.deepEqual(left, [{ conversationId: id, reason: "removed" }]);
    await assert.rejects(
      bob.send(id, "still here?"),
      (err) => err instanceof ParleyClientError && err.code === "not-member",
    );
    await Promise.all([alice.close(), bob.close()]);
  });

  it("twenty members in one group", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `m${i}`);
    const clients = await Promise.all(names.map((n) => newClient(server.url, n)));
    const [first, ...rest] = clients;
    if (!first) throw new Error("clients");
    const id = await first.createConversation({ name: "twenty", members: names.slice(1) });
    await Promise.all(rest.map((c) => c.sync()));
    const auth = hex(first.epochAuthenticator(id));
    for (const c of rest) assert.equal(hex(c.epochAuthenticator(id)), auth);

    const received = clients.map((c) => collect(c, "message"));
    await first.send(id, "to all");
    await rest[18]?.send(id, "from the last");
    await Promise.all(clients.map((c) => c.sync()));
    for (const [i, seen] of received.entries()) {
      const expected = i === 0 ? ["from the last"] : i === 19 ? ["to all"] : ["to all", "from the last"];
      assert.deepEqual(
        seen.map((m) => m.text),
        expected,
        `member ${i}`,
      );
    }
    await rest[4]?.removeMembers(id, ["m7", "m8"]);
    await Promise.all(clients.map((c) => c.sync()));
    assert.equal(first.members(id).length, 18);
    assert.equal(clients[7]?.conversationList()[0]?.status, "removed");
    await Promise.all(clients.map((c) => c.close()));
  });
});
