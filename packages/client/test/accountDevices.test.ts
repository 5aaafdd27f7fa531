import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isClientError, MemoryStore, ParleyClient, SqliteStore } from "../src/index.js";
import { collect, newClient, PASSWORD, type Running, SMALL_POOL, startServer } from "./harness.js";

/** What the account's owner and their contacts are told about its devices (issue 10). */

describe("account devices", () => {
  let server: Running;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  const login = (username: string) =>
    ParleyClient.login({
      serverUrl: server.url,
      username,
      password: PASSWORD,
      store: new MemoryStore(),
      keyPackagePool: SMALL_POOL,
    });
  const reopen = (path: string) =>
    ParleyClient.open({ store: SqliteStore.open(path), keyPackagePool: SMALL_POOL });

  it("a new login on one's account is reported on the next start; a contact's new device is flagged", async () => {
    const path = join(server.dir, "bob-laptop.db");
    const laptop = await newClient(server.url, "bob", { store: SqliteStore.open(path) });
    const alice = await newClient(server.url, "alice");
    const membership = collect(alice, "membership");
    const id = await alice.createConversation({ members: ["bob"] });
    await laptop.sync();
    await laptop.close();

    // bob logs in on a phone: the phone takes the account's devices as they are, and says nothing.
    const phone = await login("bob");
    const phoneOwn = collect(phone, "ownDevices");
    await phone.start({ live: false });
    assert.deepEqual(phoneOwn, []);

    // The laptop notices on its next start, once.
    let revived = await reopen(path);
    const own = collect(revived, "ownDevices");
    await revived.start({ live: false });
    assert.deepEqual(own, [{ added: [phone.deviceId], removed: [] }]);
    await revived.close();
    revived = await reopen(path);
    const again = collect(revived, "ownDevices");
    await revived.start({ live: false });
    assert.deepEqual(again, []);

    const devices = await revived.devices();
    assert.deepEqual(
      devices.map((d) => [d.deviceId, d.current, d.revoked, d.verificationCode]),
      [
        [revived.deviceId, true, false, revived.verificationCode],
        [phone.deviceId, false, false, phone.verificationCode],
      ],
    );

    // alice sees bob's phone as a new device of a member (and bob himself, first, as a new member).
    await revived.addOwnDevices();
    await alice.sync();
    assert.deepEqual(
      membership.map((m) => [m.by?.username, m.added.map((a) => [a.username, a.deviceId, a.newDevice])]),
      [
        ["alice", [["bob", revived.deviceId, false]]],
        ["bob", [["bob", phone.deviceId, true]]],
      ],
    );

    // A revoked device is reported as removed.
    await revived.revokeDevice(phone.deviceId);
    await revived.close();
    revived = await reopen(path);
    const revoked = collect(revived, "ownDevices");
    await revived.start({ live: false });
    assert.deepEqual(revoked, [{ added: [], removed: [phone.deviceId] }]);
    assert.equal(id, revived.conversationList()[0]?.id);
    await Promise.all([revived.close(), phone.close(), alice.close()]);
  });

  it("a password change ends the other sessions; logout forgets the token, not the device", async () => {
    const path = join(server.dir, "dan.db");
    const first = await newClient(server.url, "dan", { store: SqliteStore.open(path) });
    const second = await login("dan");
    await first.changePassword(PASSWORD, "another good password");
    await assert.rejects(second.sync(), (err) => isClientError(err, "unauthorized"));
    await first.sync();

    await first.logout();
    const reopened = await reopen(path);
    assert.equal(reopened.username, "dan");
    await assert.rejects(reopened.start(), (err) => isClientError(err, "not-logged-in"));
    await Promise.all([reopened.close(), second.close()]);
  });

  it("register refuses a store that already holds a device before creating the account", async () => {
    const store = new MemoryStore();
    const erin = await newClient(server.url, "erin", { store });
    const device = await store.loadDevice();
    await erin.close();
    const used = new MemoryStore();
    await used.write({ device: device ?? null });
    await assert.rejects(
      ParleyClient.register({ serverUrl: server.url, username: "frank", password: PASSWORD, store: used }),
      (err) => isClientError(err, "usage"),
    );
    // frank does not exist: registering him elsewhere works.
    const frank = await newClient(server.url, "frank");
    await frank.close();
  });
});
