import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MemoryStore, ParleyClient, type ParleyClientError } from "../src/index.js";
import { collect, newClient, PASSWORD, type Running, SMALL_POOL, startServer, until } from "./harness.js";

describe("multi-device", () => {
  let server: Running;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  it("a new device is added to each conversation by an existing one; a revoked device is removed everywhere", async () => {
    const phone = await newClient(server.url, "alice");
    const bob = await newClient(server.url, "bob");
    const one = await phone.createConversation({ name: "one", members: ["bob"] });
    const two = await bob.createConversation({ name: "two", members: ["alice"] });
    await phone.sync();

    const laptop = await ParleyClient.login({
      serverUrl: server.url,
      username: "alice",
      password: PASSWORD,
      store: new MemoryStore(),
      keyPackagePool: SMALL_POOL,
    });
    await laptop.start({ live: false });
    assert.notEqual(laptop.deviceId, phone.deviceId);
    const joined = collect(laptop, "joined");
    assert.deepEqual((await phone.addOwnDevices()).sort(), [one, two].sort());
    await laptop.sync();
    assert.deepEqual(joined.map((j) => j.name).sort(), ["one", "two"]);
    await bob.sync();
    assert.equal(bob.members(two).filter((m) => m.username === "alice").length, 2);

    const laptopSeen = collect(laptop, "message");
    const phoneSeen = collect(phone, "message");
    await bob.send(one, "to both of alice's devices");
    await laptop.send(two, "from the laptop");
    await Promise.all([laptop.sync(), phone.sync()]);
    assert.deepEqual(
      laptopSeen.map((m) => m.text),
      ["to both of alice's devices"],
    );
    assert.deepEqual(
      phoneSeen.map((m) => [m.text, m.sender.username, m.sender.deviceId === laptop.deviceId]),
      [
        ["to both of alice's devices", "bob", false],
        ["from the laptop", "alice", true],
      ],
    );
    // Nothing left to add: a second call changes nothing.
    assert.deepEqual(await phone.addOwnDevices(), []);

    assert.deepEqual((await phone.revokeDevice(laptop.deviceId)).sort(), [one, two].sort());
    // The server refuses the revoked device at once; the groups no longer hold it.
    await assert.rejects(laptop.sync(), (err: ParleyClientError) => err.code === "unauthorized");
    await bob.sync();
    assert.equal(bob.members(two).filter((m) => m.username === "alice").length, 1);
    assert.equal(phone.members(one).filter((m) => m.username === "alice").length, 1);
    await Promise.all([phone.close(), laptop.close(), bob.close()]);
  });

  it("leave: the user's devices are removed by the designated member", async () => {
    const ann = await newClient(server.url, "ann");
    const ben = await newClient(server.url, "ben");
    const cat = await newClient(server.url, "cat");
    const id = await ann.createConversation({ members: ["ben", "cat"] });
    await Promise.all([ben.sync(), cat.sync()]);
    const left = collect(cat, "left");
    const changes = collect(ann, "membership");
    await cat.leave(id);
    assert.deepEqual(left, [{ conversationId: id, reason: "left" }]);
    await ann.sync(); // ann has the lowest leaf: she commits cat's removal in the background
    await until(
      () => changes.some((c) => c.removed.some((m) => m.username === "cat")),
      5000,
      "cat's removal",
    );
    await ben.sync();
    assert.deepEqual(
      ben
        .members(id)
        .map((m) => m.username)
        .sort(),
      ["ann", "ben"],
    );
    await Promise.all([ann.close(), ben.close(), cat.close()]);
  });
});
