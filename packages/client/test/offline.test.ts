import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  isClientError,
  MemoryStore,
  ParleyClient,
  type ParleyClientError,
  SqliteStore,
} from "../src/index.js";
import {
  collect,
  newClient,
  type Restartable,
  SMALL_POOL,
  startRestartableServer,
  until,
} from "./harness.js";

/** Issue 10: an outage must neither stop the client from starting nor reorder or silently resend messages. */

const queued = (err: unknown) =>
  isClientError(err, "network") && (err as ParleyClientError).details.queued === true;

const texts = (client: ParleyClient) => {
  const seen: string[] = [];
  client.on("message", (m) => seen.push(m.text));
  return seen;
};

describe("offline", () => {
  let server: Restartable;
  before(async () => {
    server = await startRestartableServer();
  });
  after(async () => {
    await server.close();
  });

  /** alice (on a SQLite store) and bob in one conversation. */
  async function pair(tag: string, live = false) {
    const path = join(server.dir, `alice-${tag}.db`);
    const alice = await newClient(server.url, `alice${tag}`, { store: SqliteStore.open(path), live });
    const bob = await newClient(server.url, `bob${tag}`, { live });
    const id = await alice.createConversation({ name: `talk ${tag}`, members: [`bob${tag}`] });
    await bob.sync();
    return { path, alice, bob, id };
  }

  it("start() succeeds while the server is down: history usable, then it catches up on reconnect", async () => {
    const { path, alice, bob, id } = await pair("a");
    await bob.send(id, "hi alice");
    await alice.sync();
    await alice.send(id, "hi bob");
    await alice.close();
    await bob.send(id, "while you were away"); // not on alice's device yet

    await server.stop();
    const revived = await ParleyClient.open({ store: SqliteStore.open(path), keyPackagePool: SMALL_POOL });
    const connection = collect(revived, "connection");
    const received = texts(revived);
    await revived.start();
    assert.equal(revived.connectionState, "reconnecting");
    assert.deepEqual(
      connection.map((c) => [c.state, c.error?.code]),
      [["reconnecting", "network"]],
    );
    assert.deepEqual(
      (await revived.history(id)).map((h) => `${h.username}: ${h.text}`),
      ["boba: hi alice", "alicea: hi bob"],
    );
    assert.equal(revived.conversationList()[0]?.name, "talk a");

    await server.restart();
    await until(() => revived.connectionState === "connected", 20_000, "the reconnect");
    assert.deepEqual(received, ["while you were away"], "caught up before connected");
    await bob.send(id, "live again");
    await until(() => received.length === 2, 10_000, "live delivery");
    assert.deepEqual(
      connection.map((c) => c.state),
      ["reconnecting", "connected"],
    );
    await Promise.all([revived.close(), bob.close()]);
  });

  it("start() still throws what is not an outage (401)", async () => {
    const store = new MemoryStore();
    const carol = await newClient(server.url, "carol", { store });
    const device = await store.loadDevice();
    await carol.close();
    assert.ok(device);
    const stale = new MemoryStore();
    await stale.write({ device: { ...device, token: "x".repeat(43) } });
    const client = await ParleyClient.open({ store: stale });
    await assert.rejects(client.start(), (err) => isClientError(err, "unauthorized"));
    await client.close();
  });

  it("a send while the server is down is pending, then delivered in order on reconnect, before newer ones", async () => {
    const { alice, bob, id } = await pair("b", true);
    await Promise.all([alice.connected(), bob.connected()]);
    const received = texts(bob);
    const outgoing = collect(alice, "outgoing");
    const connection = collect(alice, "connection");
    await alice.send(id, "before");

    await server.stop();
    await assert.rejects(alice.send(id, "one"), queued);
    await assert.rejects(alice.send(id, "two"), queued);
    assert.deepEqual(
      alice.pendingMessages(id).map((p) => p.text),
      ["one", "two"],
    );
    await until(() => alice.connectionState === "reconnecting", 10_000, "the drop");

    await server.restart();
    // Sent at once when the server is back, whoever flushes first: it still goes out after one and two.
    const three = await alice.send(id, "three");
    await until(() => received.length === 4, 20_000, "bob has all four");
    assert.deepEqual(received, ["before", "one", "two", "three"]);
    assert.deepEqual(alice.pendingMessages(), []);

    const states = (text: string) => outgoing.filter((o) => o.text === text).map((o) => o.state);
    const seqOf = (text: string) => outgoing.find((o) => o.text === text && o.state === "sent")?.seq ?? 0;
    assert.deepEqual(states("one"), ["pending", "sent"]);
    assert.deepEqual(states("two"), ["pending", "sent"]);
    assert.ok(seqOf("before") < seqOf("one") && seqOf("one") < seqOf("two") && seqOf("two") < three);
    assert.deepEqual(
      (await bob.history(id)).map((h) => h.text),
      ["before", "one", "two", "three"],
    );
    assert.deepEqual(
      (await alice.history(id)).map((h) => h.text),
      ["before", "one", "two", "three"],
    );
    await until(() => alice.connectionState === "connected", 20_000, "the reconnect");
    assert.deepEqual(
      connection.map((c) => c.state),
      ["reconnecting", "connected"],
    );
    await Promise.all([alice.close(), bob.close()]);
  });

  it("messages queued when the process ended are listed on reopen and sent in order by start()", async () => {
    const { path, alice, bob, id } = await pair("c");
    await server.stop();
    await assert.rejects(alice.send(id, "first"), queued);
    await assert.rejects(alice.send(id, "second"), queued);
    await alice.close();

    const revived = await ParleyClient.open({ store: SqliteStore.open(path), keyPackagePool: SMALL_POOL });
    assert.deepEqual(
      revived.pendingMessages().map((p) => [p.conversationId, p.text]),
      [
        [id, "first"],
        [id, "second"],
      ],
    );
    const outgoing = collect(revived, "outgoing");
    await server.restart();
    await revived.start({ live: false });
    assert.deepEqual(
      outgoing.map((o) => `${o.text} ${o.state}`),
      ["first sent", "second sent"],
    );
    const received = texts(bob);
    await bob.sync();
    assert.deepEqual(received, ["first", "second"]);
    await Promise.all([revived.close(), bob.close()]);
  });

  it("a queued message that can no longer be delivered (removed meanwhile) is marked failed and dropped", async () => {
    const { alice, bob, id } = await pair("d");
    await server.stop();
    await assert.rejects(alice.send(id, "too late"), queued);
    await server.restart();
    await bob.removeMembers(id, ["aliced"]);

    const outgoing = collect(alice, "outgoing");
    const left = collect(alice, "left");
    await assert.rejects(alice.send(id, "after"), (err) => isClientError(err, "not-member"));
    assert.deepEqual(
      outgoing.map((o) => [o.text, o.state, o.error?.code]),
      [
        ["after", "pending", undefined],
        ["too late", "failed", "not-found"],
        ["after", "failed", "not-member"],
      ],
    );
    assert.deepEqual(alice.pendingMessages(), []);
    assert.deepEqual(left, [{ conversationId: id, reason: "removed" }]);
    await Promise.all([alice.close(), bob.close()]);
  });
});
