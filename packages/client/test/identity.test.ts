import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  bindingOf,
  createBinding,
  createKeyPackage,
  DEVICE_BINDING_EXTENSION_TYPE,
  decodeGroup,
  generateIdentityKeyPair,
  generateSignatureKeyPair,
  inspectKeyPackage,
  loadSuite,
} from "@parley/mls";
import { GROUP_NAME_EXTENSION } from "../src/groupName.js";
import {
  deviceIdOf,
  HttpTransport,
  isClientError,
  MemoryStore,
  ParleyClient,
  type ParleyClientError,
  SqliteStore,
} from "../src/index.js";
import { backends, startServerWithStore } from "./backends.js";
import { collect, newClient, PASSWORD, SMALL_POOL } from "./harness.js";

const servers = await backends();
const text = (s: string) => new TextEncoder().encode(s);

/** The device and session a client's own store holds (what a modified client would use directly). */
async function sessionOf(store: MemoryStore) {
  const device = await store.loadDevice();
  if (!device) throw new Error("no device");
  const transport = new HttpTransport(device.serverUrl);
  transport.setToken(device.token);
  return { device, transport };
}

const login = (url: string, username: string, identity?: Uint8Array) =>
  ParleyClient.login({
    serverUrl: url,
    username,
    password: PASSWORD,
    store: new MemoryStore(),
    keyPackagePool: SMALL_POOL,
    ...(identity ? { identity } : {}),
  });

for (const backend of servers) {
  describe(`usernames bound to accounts (${backend})`, () => {
    let server: Awaited<ReturnType<typeof startServerWithStore>>;
    before(async () => {
      server = await startServerWithStore(backend);
    });
    after(async () => {
      await server.close();
    });

    it("mallory cannot upload a key package that claims bob", async () => {
      const bob = await newClient(server.url, "bob");
      const malloryStore = new MemoryStore();
      const mallory = await newClient(server.url, "mallory", { store: malloryStore });
      const { device, transport } = await sessionOf(malloryStore);
      const suite = await loadSuite(device.suiteId);
      const keys = { publicKey: device.signaturePublicKey, privateKey: device.signaturePrivateKey };
      for (const identity of [`bob/${device.deviceId}`, `bob/${bob.deviceId}`]) {
        const forged = await createKeyPackage(suite, { identity: text(identity), signatureKeyPair: keys });
        await assert.rejects(
          transport.uploadKeyPackages([forged.message]),
          (err: ParleyClientError) => err.details.serverCode === "credential_mismatch",
        );
      }
      await Promise.all([bob.close(), mallory.close()]);
    });

    /**
     * mallory runs a modified client and the server helps her: it gives bob's account a device whose key she
     * holds, and she commits a leaf `bob/<that device>` with the group state from her own store.
     */
    const forgedLeaf = async (
      tag: string,
      binding: (key: Uint8Array, bobsOwn: Uint8Array) => Uint8Array | undefined,
    ) => {
      const [alice, bob] = [
        await newClient(server.url, `alice${tag}`),
        await newClient(server.url, `bob${tag}`),
      ];
      const malloryStore = new MemoryStore();
      const mallory = await newClient(server.url, `mallory${tag}`, { store: malloryStore });
      const id = await alice.createConversation({ name: "trio", members: [`bob${tag}`, `mallory${tag}`] });
      await Promise.all([bob.sync(), mallory.sync()]);
      const epoch = alice.epoch(id);

      const suite = await loadSuite(1);
      const fake = await generateSignatureKeyPair(suite);
      const fakeId = deviceIdOf(fake.publicKey);
      const bobAccount = await server.store.account(`bob${tag}`);
      assert.ok(bobAccount);
      await server.store.db.run(
        "INSERT INTO devices (id, account_id, signature_key, created_at) VALUES (?, ?, ?, ?)",
        [fakeId, bobAccount.id, fake.publicKey, Date.now()],
      );
      const record = (await malloryStore.loadConversations()).find((c) => c.groupId === id);
      assert.ok(record?.state);
      const group = await decodeGroup(record.state, {});
      const { transport } = await sessionOf(malloryStore);
      const [claimed] = await transport.claimKeyPackages(`bob${tag}`);
      assert.ok(claimed);
      const bobsOwn = bindingOf(inspectKeyPackage(claimed.keyPackage).leafExtensions);
      assert.ok(bobsOwn, "bob's key packages carry his binding");
      const data = binding(fake.publicKey, bobsOwn);
      const forged = await createKeyPackage(suite, {
        identity: text(`bob${tag}/${fakeId}`),
        signatureKeyPair: fake,
        capabilities: { ciphersuites: [1], credentials: ["basic"], extensions: [GROUP_NAME_EXTENSION] },
        leafExtensions: data ? [{ type: DEVICE_BINDING_EXTENSION_TYPE, data }] : [],
      });
      const staged = await group.commit({ add: [forged.message], publicMessage: true });
      assert.ok(staged.welcome);
      const outcome = await transport.postCommit(id, {
        commit: staged.commit,
        welcome: { deviceIds: [fakeId], welcome: staged.welcome },
        groupInfo: await staged.group.groupInfo(),
        added: [fakeId],
        removed: [],
      });
      assert.equal(outcome.kind, "accepted", "the server took it");

      const members = [alice, bob];
      const errors = members.map((m) => collect(m, "error"));
      const changed = members.map((m) => collect(m, "identityChanged"));
      for (const member of members) {
        await member.sync();
        await member.sync(); // it waits at the refused commit, on every sync
        assert.equal(member.epoch(id), epoch, "the commit is not adopted");
        assert.deepEqual(
          member.members(id).map((m) => [m.username, m.deviceId]),
          [
            [`alice${tag}`, alice.deviceId],
            [`bob${tag}`, bob.deviceId],
            [`mallory${tag}`, mallory.deviceId],
          ],
          "no second bob; the real one stays",
        );
      }
      const refusals = errors.flat().map((e) => e.error);
      assert.equal(refusals.length, 4, "each member refuses it on each sync");
      assert.ok(refusals.every((e) => isClientError(e, "untrusted-identity")));
      const result = { alice, bob, id, refusals, changed, forgedGroup: staged.group, transport };
      await Promise.all([alice.close(), bob.close(), mallory.close()]);
      return result;
    };

    it("a forged bob leaf without a binding is refused by the others; bob is never removed", async () => {
      const { alice, id, refusals, changed, forgedGroup, transport } = await forgedLeaf("1", () => undefined);
      assert.match(refusals[0]?.message ?? "", /the leaf of bob1\/[0-9a-f]{12} has no valid device binding/);
      assert.deepEqual(changed.flat(), [], "a leaf without a binding changes no pin");
      assert.equal(await alice.contactState("bob1"), "unverified");

      // mallory then adds carol: the Welcome's roster holds the forged leaf, and carol does not join.
      const carol = await newClient(server.url, "carol1");
      const carolErrors = collect(carol, "error");
      const [claimed] = await transport.claimKeyPackages("carol1");
      assert.ok(claimed);
      const staged = await forgedGroup.commit({ add: [claimed.keyPackage], publicMessage: true });
      assert.ok(staged.welcome);
      const outcome = await transport.postCommit(id, {
        commit: staged.commit,
        welcome: { deviceIds: [carol.deviceId], welcome: staged.welcome },
        groupInfo: await staged.group.groupInfo(),
        added: [carol.deviceId],
        removed: [],
      });
      assert.equal(outcome.kind, "accepted");
      await carol.sync();
      assert.deepEqual(carol.conversationList(), [], "carol refuses the Welcome");
      assert.deepEqual(
        carolErrors.map((e) => [e.error.code, e.conversationId]),
        [["untrusted-identity", id]],
      );
      await carol.close();
    });

    it("a forged bob leaf bound by another identity key is refused and flags bob as changed", async () => {
      const { alice, bob, id, refusals, changed } = await forgedLeaf("2", (key) =>
        createBinding(generateIdentityKeyPair(), "bob2", key),
      );
      assert.match(refusals[0]?.message ?? "", /not the one pinned for bob2/);
      assert.deepEqual(
        changed.map((c) => c.map((e) => [e.username, e.conversationId])),
        [[["bob2", id]], [["bob2", id]]],
      );
      assert.equal(await alice.contactState("bob2"), "changed");
      assert.equal(await bob.contactState("bob2"), "changed", "bob sees his own name taken");
    });

    it("bob's real binding copied onto the forged leaf does not verify for its key", async () => {
      const { refusals } = await forgedLeaf("3", (_key, bobsOwn) => bobsOwn);
      assert.match(refusals[0]?.message ?? "", /has no valid device binding/);
    });

    it("the identity key and the pins survive reopening a SQLite store", async () => {
      const dir = await mkdtemp(join(tmpdir(), "parley-identity-store-"));
      try {
        const path = join(dir, "eve.db");
        const eve = await newClient(server.url, "eve", { store: SqliteStore.open(path) });
        const frank = await newClient(server.url, "frank");
        await eve.createConversation({ members: ["frank"] });
        const [identity, number] = [eve.exportIdentity(), await eve.safetyNumber("frank")];
        assert.equal(await eve.verifyContact("frank", number ?? ""), true);
        await eve.close();
        const reopened = await ParleyClient.open({ store: SqliteStore.open(path) });
        assert.deepEqual(reopened.exportIdentity(), identity);
        assert.equal(await reopened.safetyNumber("frank"), number);
        assert.equal(await reopened.contactState("frank"), "verified");
        assert.equal((await stat(path)).mode & 0o777, 0o600);
        await Promise.all([reopened.close(), frank.close()]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("safety numbers, verification, new devices of a contact, and a changed identity", async () => {
      const alice = await newClient(server.url, "ann");
      const bob = await newClient(server.url, "ben");
      const id = await alice.createConversation({ members: ["ben"] });
      await bob.sync();
      assert.equal(await alice.contactState("ben"), "unverified");
      const number = await bob.safetyNumber();
      assert.match(number ?? "", /^\d{5}( \d{5}){5}$/);
      assert.equal(await alice.safetyNumber("ben"), number, "both sides compute the same number");
      assert.equal(await alice.verifyContact("ben", "00000 00000 00000 00000 00000 00000"), false);
      assert.equal(await alice.contactState("ben"), "unverified");
      assert.equal(await alice.verifyContact("ben", number ?? ""), true);
      assert.equal(await alice.contactState("ben"), "verified");

      // A second device with the account's identity key: a new device of a known contact, same number.
      const added = collect(alice, "deviceAdded");
      const laptop = await login(server.url, "ben", bob.exportIdentity());
      await laptop.start({ live: false });
      assert.deepEqual(await bob.addOwnDevices(), [id]);
      await Promise.all([alice.sync(), laptop.sync()]);
      assert.deepEqual(added, [{ username: "ben", deviceId: laptop.deviceId, conversationId: id }]);
      assert.equal(await alice.safetyNumber("ben"), number);
      assert.equal(await alice.contactState("ben"), "verified");
      assert.equal(alice.members(id).length, 3);

      // A device with its own identity key, added by ben's trusted device: accepted, the number now covers both.
      const tablet = await login(server.url, "ben");
      await tablet.start({ live: false });
      await bob.addOwnDevices();
      await alice.sync();
      assert.deepEqual(
        added.map((a) => a.deviceId),
        [laptop.deviceId, tablet.deviceId],
      );
      assert.equal(alice.members(id).length, 4);
      assert.notEqual(await alice.safetyNumber("ben"), number);

      // ben reinstalls: a new device no trusted device vouches for. alice adding it sees a changed identity.
      const fresh = await login(server.url, "ben");
      await fresh.start({ live: false });
      const changed = collect(alice, "identityChanged");
      const other = await alice.createConversation({ name: "other" });
      await assert.rejects(alice.addMembers(other, ["ben"]), (err) =>
        isClientError(err, "untrusted-identity"),
      );
      assert.deepEqual(changed, [{ username: "ben", deviceId: fresh.deviceId }]);
      assert.equal(await alice.contactState("ben"), "changed");
      const freshNumber = await fresh.safetyNumber();
      assert.equal(await alice.safetyNumber("ben"), freshNumber, "the number of the new key, to compare");
      assert.equal(await alice.verifyContact("ben", freshNumber ?? ""), true);
      assert.equal(await alice.contactState("ben"), "verified");
      await alice.addMembers(other, ["ben"]);
      assert.equal(alice.members(other).filter((m) => m.username === "ben").length, 4);
      await Promise.all([alice, bob, laptop, tablet, fresh].map((c) => c.close()));
    });

    it("a conversation waits at a commit with a changed identity until the app accepts it", async () => {
      const [alice, bob, carol] = [
        await newClient(server.url, "ada"),
        await newClient(server.url, "bo"),
        await newClient(server.url, "cy"),
      ];
      const id = await alice.createConversation({ members: ["bo", "cy"] });
      await Promise.all([bob.sync(), carol.sync()]);
      await bob.close();
      // bo loses his device and logs in anew (a new identity key); cy accepts it and adds the new device.
      const reinstalled = await login(server.url, "bo");
      await reinstalled.start({ live: false });
      await assert.rejects(carol.addMembers(id, ["bo"]), (err) => isClientError(err, "untrusted-identity"));
      assert.equal(await carol.acceptIdentity("bo"), true);
      assert.equal(await carol.contactState("bo"), "unverified");
      await carol.addMembers(id, ["bo"]);

      const changed = collect(alice, "identityChanged");
      const epoch = alice.epoch(id);
      await alice.sync();
      await alice.sync(); // told once, though the commit is refused again
      assert.deepEqual(changed, [{ username: "bo", deviceId: reinstalled.deviceId, conversationId: id }]);
      assert.equal(alice.epoch(id), epoch, "alice waits at cy's commit");
      assert.equal(await alice.acceptIdentity("ada"), false, "nothing changed for ada");
      assert.equal(await alice.acceptIdentity("bo"), true);
      await alice.sync();
      assert.equal(alice.epoch(id), epoch + 1, "accepted: the commit goes in");
      assert.ok(alice.members(id).some((m) => m.deviceId === reinstalled.deviceId));
      await reinstalled.sync();
      const seen = collect(reinstalled, "message");
      await alice.send(id, "welcome back");
      await reinstalled.sync();
      assert.deepEqual(
        seen.map((m) => m.text),
        ["welcome back"],
      );
      await Promise.all([alice, carol, reinstalled].map((c) => c.close()));
    });
  });
}
