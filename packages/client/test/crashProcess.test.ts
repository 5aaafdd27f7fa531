import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeGroup } from "@parley/mls";
import { testRandom } from "@parley/testkit";
import { HttpTransport, ParleyClient, SqliteStore } from "../src/index.js";
import { hex, newClient, type Running, SMALL_POOL, startServer } from "./harness.js";

/**
 * The issue's crash requirement with a real process: a child Node process (test-fixtures/crashChild.ts) runs a
 * client on a SQLite store and is SIGKILLed mid-commit; a client restarted on the same store must resolve the
 * commit so that every member ends in the same epoch with the same epoch authenticator, and the group goes on.
 */

const CHILD = fileURLToPath(new URL("../test-fixtures/crashChild.js", import.meta.url));

type Step = { step: string; at?: string; epoch?: number; seq?: number; text?: string };

/** A running child client: its JSON-line steps as they come, and a way to SIGKILL it. */
function startChild(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [CHILD, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const steps: Step[] = [];
  const waiters: (() => void)[] = [];
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    steps.push(JSON.parse(line) as Step);
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      resolve({ code, signal });
      for (const w of waiters.splice(0)) w();
    }),
  );
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    steps,
    /** Resolve with the first step matching `predicate`; reject if the child exits first or after `ms`. */
    async next(predicate: (s: Step) => boolean, ms = 15_000): Promise<Step> {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = steps.find(predicate);
        if (found) return found;
        if (done) throw new Error(`the child exited early: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for the child: ${stderr}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
    async kill() {
      if (!done) child.kill("SIGKILL");
      return exited;
    },
  };
}

/** What the killed process left in its store, and what the server says about the group. */
async function inspect(path: string, groupId: string) {
  const store = SqliteStore.open(path);
  const device = await store.loadDevice();
  const conv = (await store.loadConversations()).find((c) => c.groupId === groupId);
  assert.ok(device && conv?.state);
  const transport = new HttpTransport(device.serverUrl);
  transport.setToken(device.token);
  const server = await transport.groupStatus(groupId);
  const stored = Number((await decodeGroup(conv.state)).epoch);
  return { store, stored, pending: conv.pending, serverEpoch: server.epoch };
}

function agree(t: TestContext, id: string, clients: ParleyClient[], epoch: number) {
  const first = clients[0] as ParleyClient;
  for (const c of clients) {
    assert.equal(c.epoch(id), epoch, `${c.username} epoch`);
    assert.equal(
      hex(c.epochAuthenticator(id)),
      hex(first.epochAuthenticator(id)),
      `${c.username} authenticator`,
    );
  }
  t.diagnostic(
    `epoch ${epoch}: ${clients.map((c) => `${c.username}=${hex(c.epochAuthenticator(id)).slice(0, 16)}`).join(" ")}`,
  );
}

describe("a client process SIGKILLed mid-commit", () => {
  let server: Running;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  /** alice (SQLite, then closed: the child takes her store over) and bob in a group at epoch 1; carol registered. */
  async function setup(tag: string) {
    const path = join(server.dir, `alice-${tag}.db`);
    const alice = await newClient(server.url, `alice${tag}`, { store: SqliteStore.open(path) });
    const bob = await newClient(server.url, `bob${tag}`);
    const carol = await newClient(server.url, `carol${tag}`);
    const id = await alice.createConversation({ name: `crash ${tag}`, members: [`bob${tag}`] });
    await bob.sync();
    await alice.close();
    return { path, bob, carol, id };
  }

  const revive = async (store: SqliteStore) => {
    const client = await ParleyClient.open({ store, keyPackagePool: SMALL_POOL });
    await client.start({ live: false });
    return client;
  };

  it("killed after the server accepted its commit, before merging: the restarted client adopts it", async (t) => {
    const { path, bob, carol, id } = await setup("a");
    const child = startChild(["after-accept", path, id, "carola"]);
    const paused = await child.next((s) => s.step === "paused");
    assert.equal(paused.at, "after-accept");
    const exit = await child.kill();
    assert.equal(exit.signal, "SIGKILL");

    // The server moved to epoch 2 through the child's commit; the child's store still holds epoch 1 + the pending.
    const left = await inspect(path, id);
    t.diagnostic(
      `killed after 201 (seq ${paused.seq}): server epoch ${left.serverEpoch}, stored epoch ${left.stored}, ` +
        `pending commit for epoch ${left.pending?.epoch} (accepted seq recorded: ${left.pending?.acceptedSeq ?? "no"})`,
    );
    assert.equal(paused.epoch, 2);
    assert.equal(left.serverEpoch, 2);
    assert.equal(left.stored, 1);
    assert.equal(left.pending?.epoch, 1);
    assert.equal(left.pending?.acceptedSeq, undefined);

    const alice = await revive(left.store);
    await Promise.all([bob.sync(), carol.sync()]);
    agree(t, id, [alice, bob, carol], 2);
    assert.deepEqual(
      alice
        .members(id)
        .map((m) => m.username)
        .sort(),
      ["alicea", "boba", "carola"],
    );
    const seen: string[] = [];
    for (const c of [alice, bob, carol]) c.on("message", (m) => seen.push(`${c.username}<${m.text}`));
    await alice.send(id, "back from the dead");
    await carol.send(id, "welcome back");
    await Promise.all([alice.sync(), bob.sync(), carol.sync()]);
    assert.deepEqual(seen.sort(), [
      "alicea<welcome back",
      "boba<back from the dead",
      "boba<welcome back",
      "carola<back from the dead",
    ]);
    // And the next commit, from another member, is read the same everywhere.
    await bob.updateKeys(id);
    await Promise.all([alice.sync(), carol.sync()]);
    agree(t, id, [alice, bob, carol], 3);
    await Promise.all([alice.close(), bob.close(), carol.close()]);
  });

  it("killed after storing its pending commit, before the server saw it: the restart sends the same commit", async (t) => {
    const { path, bob, carol, id } = await setup("b");
    const child = startChild(["before-send", path, id, "carolb"]);
    await child.next((s) => s.step === "paused");
    assert.equal((await child.kill()).signal, "SIGKILL");

    const left = await inspect(path, id);
    t.diagnostic(
      `killed before sending: server epoch ${left.serverEpoch}, stored epoch ${left.stored}, pending commit for epoch ${left.pending?.epoch}`,
    );
    assert.equal(left.serverEpoch, 1);
    assert.equal(left.stored, 1);
    assert.equal(left.pending?.epoch, 1);

    const alice = await revive(left.store);
    await Promise.all([bob.sync(), carol.sync()]);
    agree(t, id, [alice, bob, carol], 2);
    const seen: string[] = [];
    carol.on("message", (m) => seen.push(m.text));
    bob.on("message", (m) => seen.push(m.text));
    await alice.send(id, "resent and merged");
    await Promise.all([bob.sync(), carol.sync()]);
    assert.deepEqual(seen, ["resent and merged", "resent and merged"]);
    await Promise.all([alice.close(), bob.close(), carol.close()]);
  });

  it("killed before sending while another member commits: the stale pending commit is dropped, no fork", async (t) => {
    const { path, bob, carol, id } = await setup("c");
    const child = startChild(["before-send", path, id, "carolc"]);
    await child.next((s) => s.step === "paused");
    assert.equal((await child.kill()).signal, "SIGKILL");
    await bob.updateKeys(id); // bob takes epoch 1 while alice is dead

    const left = await inspect(path, id);
    assert.equal(left.pending?.epoch, 1);
    assert.equal(left.serverEpoch, 2);
    const alice = await revive(left.store);
    await carol.sync();
    assert.deepEqual(carol.conversationList(), []); // alice's add was never sent, so no Welcome
    agree(t, id, [alice, bob], 2);
    // The change can be made again on the new epoch.
    await alice.addMembers(id, ["carolc"]);
    await Promise.all([bob.sync(), carol.sync()]);
    agree(t, id, [alice, bob, carol], 3);
    await Promise.all([alice.close(), bob.close(), carol.close()]);
  });

  it("killed at arbitrary moments while committing and sending: every restart rejoins the same group", async (t) => {
    const random = testRandom(t);
    const { path, bob, carol, id } = await setup("d");
    await carol.close();
    const received: string[] = [];
    bob.on("message", (m) => received.push(m.text));
    const reported: number[] = [];
    for (let round = 0; round < 4; round++) {
      const child = startChild(["loop", path, id, `r${round}`]);
      await child.next((s) => s.step === "merged");
      await new Promise((r) => setTimeout(r, random.int(60)));
      assert.equal((await child.kill()).signal, "SIGKILL");
      reported.push(child.steps.filter((s) => s.step === "sent").length);

      const left = await inspect(path, id);
      const alice = await revive(left.store);
      await bob.sync();
      t.diagnostic(
        `round ${round}: killed after ${child.steps.length} steps with the server at epoch ${left.serverEpoch}, ` +
          `the store at ${left.stored}${left.pending ? ` + a pending commit for ${left.pending.epoch}` : ""}; ` +
          `restarted at ${alice.epoch(id)}`,
      );
      agree(t, id, [alice, bob], alice.epoch(id));
      await alice.close();
    }
    // Every message a child reported as sent arrived exactly once and in order; a restart resends an outbox item
    // the child stored but was killed before reporting, so a round may show one more than reported.
    reported.forEach((n, round) => {
      const got = received.filter((text) => text.startsWith(`r${round}-`));
      assert.deepEqual(
        got,
        got.map((_, i) => `r${round}-m${i}`),
        `round ${round}: in order, no duplicates`,
      );
      assert.ok(
        got.length === n || got.length === n + 1,
        `round ${round}: ${got.length} received, ${n} reported`,
      );
    });
    await bob.close();
  });
});
