import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createBinding,
  createKeyPackage,
  DEVICE_BINDING_EXTENSION_TYPE,
  generateIdentityKeyPair,
  generateSignatureKeyPair,
  loadSuite,
  MlsGroup,
} from "@parley/mls";
import { fromBase64Url } from "../src/bytes.js";
import { HttpTransport, MemoryStore, ParleyClient } from "../src/index.js";
import { backends, startServerWithStore } from "./backends.js";
import { collect, newClient, PASSWORD, SMALL_POOL, until } from "./harness.js";

/** An attacker's account used outside the client: its transport, keys and a leaf with a valid credential. */
async function attacker(url: string, username: string) {
  const suite = await loadSuite(1);
  const keys = await generateSignatureKeyPair(suite);
  const transport = new HttpTransport(url);
  await transport.register(username, PASSWORD);
  const session = await transport.login(username, PASSWORD, keys.publicKey);
  transport.setToken(session.token);
  // A genuine device binding, so that Welcomes to her groups pass the joiner's identity checks.
  const binding = createBinding(generateIdentityKeyPair(), username, keys.publicKey);
  const leaf = (name: string) =>
    createKeyPackage(suite, {
      identity: new TextEncoder().encode(`${username}/${session.deviceId}`),
      signatureKeyPair: keys,
      leafExtensions: [{ type: DEVICE_BINDING_EXTENSION_TYPE, data: binding }],
      capabilities: { ciphersuites: [suite.id], credentials: ["basic"], extensions: [0xf0a1] },
    }).then((kp) => ({ kp, name }));
  return { suite, transport, deviceId: session.deviceId, leaf };
}

const nameExtension = (name: string) => ({ type: 0xf0a1, data: new TextEncoder().encode(name) });

for (const backend of await backends()) {
  describe(`Welcomes (${backend})`, () => {
    it("a Welcome too large for the client's response limit is skipped and reported; sync goes on", async () => {
      const server = await startServerWithStore(backend);
      try {
        // Bob reads responses of at most 256 KiB: a page then holds about 150 KiB of Welcomes.
        const bob = await ParleyClient.register({
          serverUrl: server.url,
          username: "bob",
          password: PASSWORD,
          store: new MemoryStore(),
          transport: new HttpTransport(server.url, { maxResponseBytes: 256 * 1024 }),
          keyPackagePool: SMALL_POOL,
        });
        await bob.start({ live: false });
        const skipped = collect(bob, "welcomeSkipped");
        const joined = collect(bob, "joined");
        const mallory = await attacker(server.url, "mallory");
        // Mallory's group carries a 200 KB context extension, so its Welcome to Bob is that large (under the
        // server's 256 KiB cap).
        const [claimed] = await mallory.transport.claimKeyPackages("bob");
        assert.ok(claimed);
        const big = await MlsGroup.create(mallory.suite, (await mallory.leaf("")).kp, {
          extensions: [nameExtension("x".repeat(200_000))],
        });
        const groupId = Buffer.from(big.groupId).toString("base64url");
        await mallory.transport.createGroup(groupId, await big.groupInfo());
        const add = await big.commit({ add: [claimed.keyPackage], publicMessage: true });
        const welcome = add.welcome as Uint8Array;
        assert.ok(welcome.length > 200_000);
        const outcome = await mallory.transport.postCommit(groupId, {
          commit: add.commit,
          welcome: { deviceIds: [claimed.deviceId], welcome },
          groupInfo: await add.group.groupInfo(),
          added: [claimed.deviceId],
          removed: [],
        });
        assert.equal(outcome.kind, "accepted");

        // A real conversation's Welcome queued behind it still arrives.
        const alice = await newClient(server.url, "alice");
        const real = await alice.createConversation({ name: "real", members: ["bob"] });
        await bob.sync();
        assert.deepEqual(skipped, [
          {
            welcomeId: skipped[0]?.welcomeId,
            conversationId: groupId,
            size: welcome.length,
            reason: "too-large",
          },
        ]);
        assert.deepEqual(
          joined.map((j) => j.conversationId),
          [real],
        );
        await bob.sync(); // the skipped one is not fetched again
        assert.equal(skipped.length, 1);
        const received = collect(alice, "message");
        await bob.send(real, "hello");
        await alice.sync();
        assert.deepEqual(
          received.map((m) => m.text),
          ["hello"],
        );
        await Promise.all([alice.close(), bob.close()]);
      } finally {
        await server.close();
      }
    });

    it("Welcomes that together exceed the response limit arrive over several pages", async () => {
      const server = await startServerWithStore(backend);
      try {
        let inboxFetches = 0;
        const counting: typeof fetch = (input, init) => {
          if (String(input).includes("/v1/welcomes")) inboxFetches++;
          return fetch(input, init);
        };
        const bob = await ParleyClient.register({
          serverUrl: server.url,
          username: "bob",
          password: PASSWORD,
          store: new MemoryStore(),
          transport: new HttpTransport(server.url, { maxResponseBytes: 256 * 1024, fetch: counting }),
          keyPackagePool: SMALL_POOL,
        });
        await bob.start({ live: false });
        const joined = collect(bob, "joined");
        // Three groups whose Welcomes are about 100 KB each: any two exceed a page of Bob's.
        const mallory = await attacker(server.url, "mallory");
        const groups: string[] = [];
        for (let i = 0; i < 3; i++) {
          const [claimed] = await mallory.transport.claimKeyPackages("bob");
          assert.ok(claimed);
          const group = await MlsGroup.create(mallory.suite, (await mallory.leaf("")).kp, {
            extensions: [nameExtension(String(i).repeat(100_000))],
          });
          const groupId = Buffer.from(group.groupId).toString("base64url");
          await mallory.transport.createGroup(groupId, await group.groupInfo());
          const add = await group.commit({ add: [claimed.keyPackage], publicMessage: true });
          const outcome = await mallory.transport.postCommit(groupId, {
            commit: add.commit,
            welcome: { deviceIds: [claimed.deviceId], welcome: add.welcome as Uint8Array },
            groupInfo: await add.group.groupInfo(),
            added: [claimed.deviceId],
            removed: [],
          });
          assert.equal(outcome.kind, "accepted");
          groups.push(groupId);
        }
        inboxFetches = 0;
        await bob.sync();
        assert.deepEqual(
          joined.map((j) => j.conversationId),
          groups,
        );
        assert.equal(inboxFetches, 3, "one Welcome per page");
        await bob.close();
      } finally {
        await server.close();
      }
    });

    it("a Welcome for a forged copy of an active conversation is refused; the conversation goes on", async () => {
      const server = await startServerWithStore(backend);
      try {
        const alice = await newClient(server.url, "alice");
        const bob = await newClient(server.url, "bob");
        const id = await alice.createConversation({ name: "real", members: ["bob"] });
        await bob.sync();
        const refused = collect(bob, "welcomeRefused");
        const joined = collect(bob, "joined");
        const before = bob.members(id);

        // Mallory forges the group: the same id, herself and Bob as members, a higher epoch than the real one.
        const mallory = await attacker(server.url, "mallory");
        const [claimed] = await mallory.transport.claimKeyPackages("bob");
        assert.ok(claimed);
        let forged = await MlsGroup.create(mallory.suite, (await mallory.leaf("")).kp, {
          groupId: fromBase64Url(id),
          extensions: [nameExtension("real")],
        });
        for (let i = 0; i < 3; i++) forged = (await forged.commit({})).group;
        const add = await forged.commit({ add: [claimed.keyPackage] });
        // The server writes it into Bob's inbox (a member cannot: the server refuses a Welcome to a member).
        const [row] = await server.store.db.all(
          "INSERT INTO welcomes (group_id, data, created_at) VALUES (?, ?, ?) RETURNING id",
          [id, add.welcome as Uint8Array, Date.now()],
        );
        await server.store.db.run(
          "INSERT INTO inbox (device_id, group_id, data, welcome_id, created_at) VALUES (?, ?, ?, ?, ?)",
          [claimed.deviceId, id, new Uint8Array(0), Number(row?.id), Date.now()],
        );
        await bob.sync();
        assert.equal(refused.length, 1);
        assert.equal(refused[0]?.conversationId, id);
        assert.equal(refused[0]?.reason, "active");
        assert.deepEqual(joined, []);
        assert.deepEqual(bob.members(id), before, "the conversation is unchanged");

        const atBob = collect(bob, "message");
        const atAlice = collect(alice, "message");
        await alice.send(id, "still here?");
        await bob.sync();
        await bob.send(id, "yes");
        await alice.sync();
        await until(() => atBob.length === 1 && atAlice.length === 1, 10_000, "messages both ways");
        assert.equal(atBob[0]?.text, "still here?");
        assert.equal(atAlice[0]?.text, "yes");
        await Promise.all([alice.close(), bob.close()]);
      } finally {
        await server.close();
      }
    });

    it("a Welcome for a conversation this device was removed from brings it back, reported as rejoined", async () => {
      const server = await startServerWithStore(backend);
      try {
        const alice = await newClient(server.url, "alice");
        const bob = await newClient(server.url, "bob");
        const left = collect(bob, "left");
        const joined = collect(bob, "joined");
        const id = await alice.createConversation({ members: ["bob"] });
        await bob.sync();
        await alice.removeMembers(id, ["bob"]);
        await bob.sync();
        assert.deepEqual(left, [{ conversationId: id, reason: "removed" }]);
        await alice.addMembers(id, ["bob"]);
        await bob.sync();
        assert.deepEqual(joined, [
          { conversationId: id, name: "" },
          { conversationId: id, name: "", rejoined: true },
        ]);
        const atAlice = collect(alice, "message");
        await bob.send(id, "back");
        await alice.sync();
        assert.deepEqual(
          atAlice.map((m) => m.text),
          ["back"],
        );
        await Promise.all([alice.close(), bob.close()]);
      } finally {
        await server.close();
      }
    });
  });
}
