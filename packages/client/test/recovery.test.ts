import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isClientError, ParleyClient, ParleyClientError, SqliteStore } from "../src/index.js";
import {
  clientWith,
  hex,
  newClient,
  ObservedTransport,
  type Running,
  SMALL_POOL,
  startServer,
  until,
} from "./harness.js";

const never = () => new Promise<never>(() => {});

describe("commit recovery", () => {
  let server: Running;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  for (const when of ["after the server accepted it", "before it was sent"] as const) {
    it(`a client killed ${when} recovers from its SQLite store without forking the group`, async () => {
      const tag = when.startsWith("after") ? "a" : "b";
      const path = join(server.dir, `alice-${tag}.db`);
      const transport = new ObservedTransport(server.url);
      const store = SqliteStore.open(path);
      const alice = await clientWith(`alice${tag}`, transport, store);
      const bob = await newClient(server.url, `bob${tag}`);
      const carol = await newClient(server.url, `carol${tag}`);
      const id = await alice.createConversation({ members: [`bob${tag}`] });
      await bob.sync();

      // "Kill" alice: her add never returns, at the chosen step.
      let reached = false;
      if (tag === "a")
        transport.afterCommit = () => {
          reached = true;
          return never();
        };
      else
        transport.beforeCommit = () => {
          reached = true;
          return never();
        };
      void alice.addMembers(id, [`carol${tag}`]);
      await until(() => reached, 5000, "the commit step");

      // A fresh process opens the same store; the dead one's lock went with it.
      await store.close();
      const revived = await ParleyClient.open({ store: SqliteStore.open(path), keyPackagePool: SMALL_POOL });
      await revived.start({ live: false });
      await Promise.all([bob.sync(), carol.sync()]);
      assert.equal(revived.epoch(id), 2);
      assert.deepEqual(
        revived
          .members(id)
          .map((m) => m.username)
          .sort(),
        [`alice${tag}`, `bob${tag}`, `carol${tag}`],
      );
      for (const c of [bob, carol]) {
        assert.equal(c.epoch(id), 2);
        assert.equal(hex(c.epochAuthenticator(id)), hex(revived.epochAuthenticator(id)));
      }
      const seen: string[] = [];
      carol.on("message", (m) => seen.push(m.text));
      await revived.send(id, "back");
      await carol.sync();
      assert.deepEqual(seen, ["back"]);
      await Promise.all([revived.close(), bob.close(), carol.close()]);
    });
  }

  it("no answer to a commit: the client asks the server and merges when its commit won", async () => {
    const transport = new ObservedTransport(server.url);
    const alice = await clientWith("dora", transport);
    const bob = await newClient(server.url, "eli");
    const id = await alice.createConversation();
    transport.afterCommit = async () => {
      transport.afterCommit = undefined;
      throw new ParleyClientError("network", "POST commits: no response (simulated)");
    };
    await alice.addMembers(id, ["eli"]);
    await bob.sync();
    assert.equal(alice.epoch(id), 1);
    assert.equal(hex(alice.epochAuthenticator(id)), hex(bob.epochAuthenticator(id)));
    await Promise.all([alice.close(), bob.close()]);
  });

  it("a refused commit is dropped, the group unchanged", async () => {
    const transport = new ObservedTransport(server.url);
    const alice = await clientWith("fay", transport);
    const bob = await newClient(server.url, "gus");
    const id = await alice.createConversation();
    transport.beforeCommit = async () => {
      throw new ParleyClientError("rejected", "POST commits: HTTP 400 (simulated)", { status: 400 });
    };
    await assert.rejects(alice.addMembers(id, ["gus"]), (err) => isClientError(err, "rejected"));
    transport.beforeCommit = undefined;
    assert.equal(alice.epoch(id), 0);
    await alice.addMembers(id, ["gus"]); // key packages claimed again; the group moves on normally
    await bob.sync();
    assert.equal(hex(alice.epochAuthenticator(id)), hex(bob.epochAuthenticator(id)));
    await Promise.all([alice.close(), bob.close()]);
  });
});
