import assert from "node:assert/strict";
import { test } from "node:test";
import { type CryptoProvider, nodeCryptoProvider } from "@parley/mls";
import {
  type ClientEvents,
  type CommitBundle,
  type CommitOutcome,
  HttpTransport,
  MemoryStore,
  ParleyClient,
  type ParleyClientError,
} from "../src/index.js";
import { backends, startServerOn } from "./backends.js";
import { clientWith, collect, hex, newClient, ObservedTransport, PASSWORD, SMALL_POOL } from "./harness.js";

/**
 * A member's crypto provider that, when switched on, flips a byte of every HPKE ciphertext it seals: its
 * commit is then validly signed and MAC'd with a valid GroupInfo, but nobody can decrypt its path secrets.
 */
function corruptingProvider(): { provider: CryptoProvider; on: { value: boolean } } {
  const on = { value: false };
  const provider: CryptoProvider = {
    async getCiphersuiteImpl(cs) {
      const impl = await nodeCryptoProvider.getCiphersuiteImpl(cs);
      const seal: typeof impl.hpke.seal = async (...args) => {
        const sealed = await impl.hpke.seal(...args);
        if (on.value) sealed.ct[0] = (sealed.ct[0] ?? 0) ^ 0x01;
        return sealed;
      };
      return { ...impl, hpke: { ...impl.hpke, seal } };
    },
  };
  return { provider, on };
}

/**
 * A transport that spoils its next commit: the last byte of a PublicMessage from a member is its membership
 * tag, so the commit still parses and its signature verifies, but members refuse it. `withGroupInfo` says
 * whether the (valid) next epoch's GroupInfo still goes with it.
 */
class SpoilingTransport extends HttpTransport {
  spoil: { withGroupInfo: boolean } | undefined;

  override async postCommit(groupId: string, bundle: CommitBundle): Promise<CommitOutcome> {
    const how = this.spoil;
    if (!how) return super.postCommit(groupId, bundle);
    this.spoil = undefined;
    const commit = bundle.commit.slice();
    commit[commit.length - 1] = (commit[commit.length - 1] ?? 0) ^ 0x01;
    const { groupInfo, ...rest } = bundle;
    return super.postCommit(groupId, {
      ...rest,
      commit,
      ...(how.withGroupInfo && groupInfo ? { groupInfo } : {}),
    });
  }
}

for (const backend of await backends()) {
  test(`a commit members cannot process: they rejoin and the group goes on (${backend})`, async () => {
    const server = await startServerOn(backend);
    const tag = backend[0];
    const honest: ParleyClient[] = [];
    const transports = [0, 1, 2, 3].map(() => new ObservedTransport(server.url));
    let mallory: ParleyClient | undefined;
    try {
      for (const name of ["alice", "bob", "carol", "dave"])
        honest.push(await clientWith(name + tag, transports[honest.length] as ObservedTransport));
      const evil = corruptingProvider();
      const transport = new SpoilingTransport(server.url);
      mallory = await ParleyClient.register({
        serverUrl: server.url,
        username: `mallory${tag}`,
        password: PASSWORD,
        store: new MemoryStore(),
        transport,
        keyPackagePool: SMALL_POOL,
        cryptoProvider: evil.provider,
      });
      await mallory.start({ live: false });
      const m = mallory;
      const everyone = [...honest, m];
      const [alice] = honest;
      assert.ok(alice);
      // Eve comes and goes first, leaving a blank leaf: a rejoin then moves a member to another leaf.
      const eve = await newClient(server.url, `eve${tag}`);
      await eve.close();
      const invited = ["eve", "bob", "carol", "dave", "mallory"].map((n) => n + tag);
      const id = await alice.createConversation({ members: invited });
      await alice.removeMembers(id, [`eve${tag}`]);
      await Promise.all(everyone.map((c) => c.sync()));
      const moves = everyone.map((c) => collect(c, "membership"));
      const rejoined = honest.map((c) => collect(c, "rejoined"));
      const broken = honest.map((c) => collect(c, "broken"));
      const errors = everyone.map((c) => collect(c, "error"));

      /** Everyone catches up (concurrently, so rejoins race), then agrees and can talk. */
      const converge = async (round: string) => {
        await Promise.all(everyone.map((c) => c.sync()));
        await Promise.all(everyone.map((c) => c.sync()));
        const epochs = everyone.map((c) => c.epoch(id));
        assert.equal(new Set(epochs).size, 1, `${round}: one epoch for all, got ${epochs}`);
        const authenticators = everyone.map((c) => hex(c.epochAuthenticator(id)));
        assert.equal(new Set(authenticators).size, 1, `${round}: one epoch authenticator for all`);
        for (const c of everyone) assert.equal(c.members(id).length, 5, `${round}: five members`);
        const seen = everyone.map((c) => collect(c, "message"));
        for (const c of everyone) await c.send(id, `${round} from ${c.username}`);
        await Promise.all(everyone.map((c) => c.sync()));
        for (const [i, c] of everyone.entries()) {
          const texts = (seen[i] ?? []).map((e) => e.text).sort();
          const expected = everyone.filter((o) => o !== c).map((o) => `${round} from ${o.username}`);
          assert.deepEqual(texts, expected.sort(), `${round}: what ${c.username} received`);
        }
      };
      const rejoinsOnce = (round: string, before: number) => {
        for (const [i, events] of rejoined.entries()) {
          assert.equal(events.length, before + 1, `${round}: ${honest[i]?.username} rejoined once`);
          const last = events.at(-1) as ClientEvents["rejoined"];
          assert.equal(last.conversationId, id);
          assert.equal(last.reason.code, "undecryptable");
        }
      };

      // 1. Mallory's path update is encrypted to nobody: a signature-checking server accepts it.
      // The four first rejoin attempts are held until all four are ready: they race on one epoch, so three are
      // refused and must fetch the GroupInfo again.
      let waiting = 0;
      let release = () => {};
      const allReady = new Promise<void>((resolve) => {
        release = resolve;
      });
      const marks = transports.map((t) => t.outcomes.length);
      for (const t of transports)
        t.beforeCommit = async () => {
          t.beforeCommit = undefined;
          if (++waiting === transports.length) release();
          await allReady;
        };
      const before = alice.epoch(id);
      evil.on.value = true;
      await m.updateKeys(id);
      evil.on.value = false;
      assert.equal(m.epoch(id), before + 1);
      await converge("after the corrupt update path");
      rejoinsOnce("corrupt update path", 0);
      const outcomes = transports.flatMap((t, i) => t.outcomes.slice(marks[i]));
      assert.equal(outcomes.filter((o) => o === "accepted").length, 4, "each rejoin accepted once");
      assert.ok(
        outcomes.filter((o) => o === "conflict").length >= 3,
        "the racing rejoins were refused and retried",
      );
      assert.ok(m.epoch(id) >= before + 1 + honest.length, "each honest member's rejoin is one commit");

      // 2. A commit with a spoiled membership tag, and a valid GroupInfo beside it.
      transport.spoil = { withGroupInfo: true };
      await m.updateKeys(id);
      await converge("after the spoiled commit");
      rejoinsOnce("spoiled commit", 1);
      for (const list of [...errors, ...broken])
        assert.deepEqual(list, [], "no other errors, nothing broken");
      for (const list of moves) assert.deepEqual(list, [], "a rejoin is no membership change");

      // 3. The same without a GroupInfo: the server refuses it (its view of the group moves only to the next
      //    GroupInfo), so no commit can leave the members without a GroupInfo to rejoin from.
      transport.spoil = { withGroupInfo: false };
      await assert.rejects(
        m.updateKeys(id),
        (err: ParleyClientError) => err.details.serverCode === "group_info_required",
      );
      await converge("after the refused commit");
      for (const list of [...errors, ...broken]) assert.deepEqual(list, [], "nothing broken");
      assert.equal(rejoined[0]?.length, 2, "no rejoin: nothing to recover from");
    } finally {
      await Promise.all([...honest, ...(mallory ? [mallory] : [])].map((c) => c.close()));
      await server.close();
    }
  });
}

/** A transport that can refuse this device's commits as if another had won, or tamper with the GroupInfo. */
class MeddlingTransport extends HttpTransport {
  refuse = false;
  refused = 0;
  tamper = false;

  override async postCommit(groupId: string, bundle: CommitBundle): Promise<CommitOutcome> {
    if (!this.refuse) return super.postCommit(groupId, bundle);
    this.refused++;
    return { kind: "conflict", currentEpoch: (await this.groupStatus(groupId)).epoch };
  }

  override async fetchGroupInfo(groupId: string): Promise<Uint8Array> {
    const info = await super.fetchGroupInfo(groupId);
    if (this.tamper) info[info.length - 1] = (info[info.length - 1] ?? 0) ^ 0x01; // the signature's last byte
    return info;
  }
}

test("rejoin retries are bounded and start over on the next sync; a tampered GroupInfo marks it broken", async () => {
  const server = await startServerOn("sqlite");
  const bobTransport = new MeddlingTransport(server.url);
  const malloryTransport = new SpoilingTransport(server.url);
  const alice = await newClient(server.url, "alicex");
  const bob = await clientWith("bobx", bobTransport);
  const mallory = await clientWith("malloryx", malloryTransport);
  try {
    const id = await alice.createConversation({ members: ["bobx", "malloryx"] });
    await Promise.all([bob.sync(), mallory.sync()]);
    const rejoined = collect(bob, "rejoined");
    const broken = collect(bob, "broken");
    const stuckAt = bob.epoch(id);

    malloryTransport.spoil = { withGroupInfo: true };
    await mallory.updateKeys(id);
    bobTransport.refuse = true;
    await assert.rejects(bob.sync(), { code: "retries-exhausted" });
    assert.equal(bobTransport.refused, 6, "the first attempt and maxCommitRetries (5) more");
    assert.equal(bob.epoch(id), stuckAt, "still on the old epoch, and still a member");
    assert.deepEqual(rejoined, []);

    bobTransport.refuse = false;
    await alice.sync();
    await bob.sync();
    await mallory.sync();
    await alice.sync();
    assert.equal(rejoined.length, 1, "the next sync rejoins");
    assert.equal(hex(bob.epochAuthenticator(id)), hex(alice.epochAuthenticator(id)));
    assert.equal(hex(mallory.epochAuthenticator(id)), hex(alice.epochAuthenticator(id)));

    malloryTransport.spoil = { withGroupInfo: true };
    await mallory.updateKeys(id);
    bobTransport.tamper = true;
    await bob.sync();
    assert.equal(broken.length, 1);
    assert.equal(broken[0]?.error.code, "mls", "the GroupInfo's signature does not verify");
    assert.equal(bob.conversationList()[0]?.status, "broken");
    assert.equal(rejoined.length, 1, "no rejoin from a GroupInfo that does not verify");
    await alice.sync();
    await mallory.sync();
    assert.equal(hex(mallory.epochAuthenticator(id)), hex(alice.epochAuthenticator(id)));
    const seen = collect(mallory, "message");
    await alice.send(id, "still here");
    await mallory.sync();
    assert.deepEqual(
      seen.map((m) => m.text),
      ["still here"],
    );
  } finally {
    await Promise.all([alice, bob, mallory].map((c) => c.close()));
    await server.close();
  }
});
