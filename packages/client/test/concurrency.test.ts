import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { clientWith, hex, newClient, ObservedTransport, type Running, startServer } from "./harness.js";

describe("concurrent commits", () => {
  let server: Running;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it("two members add at once: one gets 409, processes the winner, retries; both are added", async () => {
    const aliceT = new ObservedTransport(server.url);
    const bobT = new ObservedTransport(server.url);
    const alice = await clientWith("alice", aliceT);
    const bob = await clientWith("bob", bobT);
    const [carol, dave] = await Promise.all([newClient(server.url, "carol"), newClient(server.url, "dave")]);
    const id = await alice.createConversation({ members: ["bob"] });
    await bob.sync();

    // Hold both first posts until both are staged on the same epoch, so the race is certain.
    let waiting = 0;
    let release: () => void = () => {};
    const bothStaged = new Promise<void>((r) => {
      release = r;
    });
    const barrier = async () => {
      waiting++;
      if (waiting === 2) release();
      if (waiting <= 2) await bothStaged;
    };
    aliceT.outcomes.length = 0;
    aliceT.beforeCommit = barrier;
    bobT.beforeCommit = barrier;
    await Promise.all([alice.addMembers(id, ["carol"]), bob.addMembers(id, ["dave"])]);

    const all = [...aliceT.outcomes, ...bobT.outcomes];
    assert.equal(all.filter((k) => k === "conflict").length, 1, `outcomes ${all}`);
    assert.equal(all.filter((k) => k === "accepted").length, 2);

    await Promise.all([alice.sync(), bob.sync(), carol.sync(), dave.sync()]);
    const members = alice
      .members(id)
      .map((m) => m.username)
      .sort();
    assert.deepEqual(members, ["alice", "bob", "carol", "dave"]);
    assert.equal(alice.epoch(id), 3);
    const auth = hex(alice.epochAuthenticator(id));
    for (const c of [bob, carol, dave]) {
      assert.equal(c.epoch(id), 3);
      assert.equal(hex(c.epochAuthenticator(id)), auth);
    }
    // And the group still works for everyone.
    await dave.send(id, "thanks for adding me");
    const got = await Promise.all(
      [alice, bob, carol].map(async (c) => {
        const seen: string[] = [];
        c.on("message", (m) => seen.push(m.text));
        await c.sync();
        return seen;
      }),
    );
    assert.deepEqual(got, [["thanks for adding me"], ["thanks for adding me"], ["thanks for adding me"]]);
    await Promise.all([alice.close(), bob.close(), carol.close(), dave.close()]);
  });

  it("many members commit at once: every change lands, one per epoch", async () => {
    const names = ["p0", "p1", "p2", "p3", "p4"];
    const clients = await Promise.all(names.map((n) => newClient(server.url, n)));
    const extra = await Promise.all(["q0", "q1", "q2", "q3", "q4"].map((n) => newClient(server.url, n)));
    const [owner] = clients;
    if (!owner) throw new Error("clients");
    const id = await owner.createConversation({ members: names.slice(1) });
    await Promise.all(clients.map((c) => c.sync()));
    await Promise.all(clients.map((c, i) => c.addMembers(id, [`q${i}`])));
    await Promise.all([...clients, ...extra].map((c) => c.sync()));
    assert.equal(owner.members(id).length, 10);
    const auth = hex(owner.epochAuthenticator(id));
    for (const c of [...clients, ...extra]) assert.equal(hex(c.epochAuthenticator(id)), auth);
    await Promise.all([...clients, ...extra].map((c) => c.close()));
  });
});
