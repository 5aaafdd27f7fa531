import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type CommitBundle,
  type CommitOutcome,
  HttpTransport,
  isClientError,
  ParleyClient,
  SqliteStore,
} from "@parley/client";
import { buildServer, DEFAULT_CONFIG, openStore, type ServerConfig } from "@parley/server";

const PASSWORD = "demo password, never reused";
/** Messages alice and bob exchange while carol is offline. */
const OFFLINE_MESSAGES = 20;
/** Any step that does not settle within this long fails the demo instead of hanging it. */
const STEP_TIMEOUT_MS = 10_000;

const short = (b: Uint8Array) => Buffer.from(b).toString("hex").slice(0, 16);

/** An HTTP transport that narrates its commit posts and can hold one back (to stage a race on one epoch). */
class NarratedTransport extends HttpTransport {
  /** Hold the next commit post until this resolves; `arrived` is called when it is being held. */
  gate: { wait: Promise<void>; arrived: () => void } | undefined;

  constructor(
    serverUrl: string,
    private readonly who: string,
    private readonly say: (line: string) => void,
  ) {
    super(serverUrl);
  }

  override async postCommit(groupId: string, bundle: CommitBundle): Promise<CommitOutcome> {
    const gate = this.gate;
    this.gate = undefined;
    if (gate) {
      gate.arrived();
      await gate.wait;
    }
    const outcome = await super.postCommit(groupId, bundle);
    const who = this.who.padEnd(6);
    this.say(
      outcome.kind === "accepted"
        ? `  ${who} POST commit → 201 accepted (seq ${outcome.seq}); the group is at epoch ${outcome.epoch}`
        : `  ${who} POST commit → 409 conflict: the server is already at epoch ${outcome.currentEpoch}; ` +
            "process the winner, plan again, retry",
    );
    return outcome;
  }
}

interface Member {
  readonly name: string;
  readonly path: string;
  readonly transport: NarratedTransport;
  client: ParleyClient;
  /** Texts this client received, in order. */
  readonly received: string[];
  /** Print each message as it arrives (off while alice and bob chat in bulk). */
  loud: boolean;
  removed: boolean;
}

async function waitFor(what: string, predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * `parley demo`: an embedded server (SQLite in a temp dir, a loopback port) and three clients, each with its own
 * SQLite store and live (SSE) delivery, go through a conversation's life: create, talk, add, a commit race that
 * one side loses with 409, an offline member catching up from its stored cursor, and a removal. Everything is
 * closed and the temp dir deleted at the end, also on failure.
 */
export async function runDemo(say: (line: string) => void): Promise<void> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), "parley-demo-"));
  const config: ServerConfig = {
    ...DEFAULT_CONFIG,
    port: 0,
    host: "127.0.0.1",
    logLevel: "silent",
    sqlitePath: join(dir, "server.db"),
  };
  const store = await openStore(config);
  const app = await buildServer(store, config);
  const members: Member[] = [];
  try {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    say(`Parley demo: an embedded server at ${url} (SQLite in ${dir}),`);
    say("three clients with their own SQLite stores and live delivery (server-sent events).");

    const label = (m: Member) => m.name.padEnd(6);
    const listen = (m: Member) => {
      m.client.on("message", (e) => {
        m.received.push(e.text);
        if (m.loud) say(`  ${label(m)} ← ${e.sender.username}: "${e.text}" (epoch ${e.epoch}, seq ${e.seq})`);
      });
      m.client.on("joined", (e) => say(`  ${label(m)} joined "${e.name}"`));
      m.client.on("membership", (e) => {
        const names = (l: { username: string }[]) => l.map((x) => x.username).join(", ");
        const by = e.by?.username === m.name ? "its own commit" : (e.by?.username ?? "someone");
        if (e.added.length) say(`  ${label(m)} merges ${by}: ${names(e.added)} added (epoch ${e.epoch})`);
        if (e.removed.length)
          say(`  ${label(m)} merges ${by}: ${names(e.removed)} removed (epoch ${e.epoch})`);
      });
      m.client.on("renamed", (e) => say(`  ${label(m)} sees the conversation renamed "${e.name}"`));
      m.client.on("left", (e) => {
        m.removed = true;
        say(`  ${label(m)} is out of the conversation (${e.reason})`);
      });
      m.client.on("error", (e) => say(`  ${label(m)} error ${e.error.code}: ${e.error.message}`));
    };
    const join_ = async (name: string) => {
      const transport = new NarratedTransport(url, name, say);
      const path = join(dir, `${name}.db`);
      const client = await ParleyClient.register({
        serverUrl: url,
        username: name,
        password: PASSWORD,
        store: SqliteStore.open(path),
        transport,
      });
      const m: Member = { name, path, transport, client, received: [], loud: true, removed: false };
      listen(m);
      await client.start();
      await client.connected();
      members.push(m);
      return m;
    };

    say("");
    say("— alice, bob and carol register; each client uploads key packages and opens its event stream");
    const alice = await join_("alice");
    const bob = await join_("bob");
    const carol = await join_("carol");
    let id = "";
    const inGroup = (m: Member) =>
      !m.removed && m.client.conversationList().some((c) => c.id === id && c.status === "active");
    const authenticators = async (epoch: number, who: Member[]) => {
      await waitFor(`everyone reached epoch ${epoch}`, () =>
        who.every((m) => inGroup(m) && m.client.epoch(id) === epoch),
      );
      const values = who.map((m) => short(m.client.epochAuthenticator(id)));
      const same = values.every((v) => v === values[0]);
      say(
        `  epoch ${epoch} authenticator: ${who.map((m, i) => `${m.name} ${values[i]}`).join(", ")} ` +
          `${same ? "(equal: one group, no fork)" : "(DIFFERENT: the group forked!)"}`,
      );
      if (!same) throw new Error("demo: epoch authenticators differ");
    };
    const send = async (from: Member, text: string, to: Member[]) => {
      await from.client.send(id, text);
      if (from.loud) say(`  ${label(from)} → "${text}"`);
      await waitFor(`${to.map((m) => m.name).join(" and ")} read "${text}"`, () =>
        to.every((m) => m.received.includes(text)),
      );
    };

    say("");
    say("— alice creates a conversation and adds bob (bob joins from the Welcome)");
    id = await alice.client.createConversation({ name: "weekend plans", members: ["bob"] });
    await authenticators(1, [alice, bob]);

    say("");
    say("— messages both ways");
    await send(alice, "hi bob, ready for the weekend?", [bob]);
    await send(bob, "always. should we ask carol?", [alice]);

    say("");
    say("— alice adds carol");
    await alice.client.addMembers(id, ["carol"]);
    await authenticators(2, [alice, bob, carol]);
    await send(carol, "thanks for having me", [alice, bob]);

    say("");
    say("— two commits at the same moment: bob renames the conversation while carol updates her keys;");
    say("  both are staged on epoch 2 and posted together, the server accepts one per epoch");
    let arrivals = 0;
    let release = () => {};
    const wait = new Promise<void>((r) => {
      release = r;
    });
    const arrived = () => {
      if (++arrivals === 2) release();
    };
    setTimeout(() => release(), STEP_TIMEOUT_MS).unref(); // never hold a commit forever if the other one fails
    bob.transport.gate = { wait, arrived };
    carol.transport.gate = { wait, arrived };
    await Promise.all([bob.client.rename(id, "weekend trip"), carol.client.updateKeys(id)]);
    await authenticators(4, [alice, bob, carol]);

    say("");
    say(`— carol goes offline (closes her client); alice and bob exchange ${OFFLINE_MESSAGES} messages`);
    say("  and alice updates her keys in between (a commit carol will have to process too)");
    await carol.client.close();
    alice.loud = false;
    bob.loud = false;
    for (let i = 1; i <= OFFLINE_MESSAGES; i++) {
      const [from, to] = i % 2 === 1 ? [alice, bob] : [bob, alice];
      await send(from, `offline chat #${i}`, [to]);
      if (i === OFFLINE_MESSAGES / 2) await alice.client.updateKeys(id);
    }
    say(
      `  bob read ${bob.received.filter((t) => t.startsWith("offline")).length}, alice read ` +
        `${alice.received.filter((t) => t.startsWith("offline")).length} (each in the order sent)`,
    );
    await authenticators(5, [alice, bob]);
    alice.loud = true;
    bob.loud = true;

    say("");
    say("— carol comes back: a new client on her store catches up from its stored cursor");
    const carolStore = SqliteStore.open(carol.path);
    const cursor = (await carolStore.loadConversations()).find((c) => c.groupId === id)?.cursor ?? 0;
    carol.loud = false;
    carol.client = await ParleyClient.open({ store: carolStore, transport: carol.transport });
    listen(carol);
    const before = carol.received.length;
    const catchUp = Date.now();
    await carol.client.start();
    await carol.client.connected();
    const caught = carol.received.slice(before);
    say(
      `  carol  resumed after seq ${cursor}: ${caught.length} messages and 1 commit in ${Date.now() - catchUp} ms ` +
        `("${caught[0]}" … "${caught.at(-1)}")`,
    );
    carol.loud = true;
    await authenticators(5, [alice, bob, carol]);
    await send(carol, "back! what did I miss?", [alice, bob]);

    say("");
    say("— alice removes bob");
    await alice.client.removeMembers(id, ["bob"]);
    await authenticators(6, [alice, carol]);
    await waitFor("bob saw his removal", () => bob.removed);
    await send(alice, "bob cannot read this one", [carol]);
    try {
      await bob.transport.fetchMessages(id, 0, 10);
      throw new Error("demo: the server still serves the log to a removed member");
    } catch (err) {
      if (!isClientError(err, "not-found")) throw err;
      say(`  bob    GET the conversation's log → 404: the server no longer serves it to him`);
    }
    try {
      await bob.client.send(id, "hello?");
      throw new Error("demo: a removed member could still send");
    } catch (err) {
      if (!isClientError(err, "not-member")) throw err;
      say(`  bob    send → ${err.code}: his device holds no keys for epoch 6`);
    }
    say(
      `  bob    read ${bob.received.includes("bob cannot read this one") ? "IT (a leak!)" : "nothing after his removal"}`,
    );

    say("");
    say(
      `done in ${((Date.now() - started) / 1000).toFixed(1)} s; closing the clients and the server, deleting ${dir}`,
    );
  } finally {
    await Promise.allSettled(members.map((m) => m.client.close()));
    await app.close();
    await store.db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
