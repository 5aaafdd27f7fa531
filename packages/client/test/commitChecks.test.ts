import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decodeGroup, type MlsGroup } from "@parley/mls";
import { HttpTransport, isClientError, MemoryStore } from "../src/index.js";
import { backends, startServerOn } from "./backends.js";
import { collect, hex, newClient, type Running, until } from "./harness.js";

/** Suite 1 PublicMessage commit: signature, then confirmation and membership tags (1-byte length + 32 each). */
function flipSignature(commit: Uint8Array): Uint8Array {
  const copy = commit.slice();
  const at = copy.length - 67;
  copy[at] = (copy[at] ?? 0) ^ 1;
  return copy;
}

async function refusedWith(promise: Promise<unknown>, serverCode: string): Promise<void> {
  await assert.rejects(
    promise,
    (err: unknown) => isClientError(err, "rejected") && err.details.serverCode === serverCode,
  );
}

for (const backend of await backends()) {
  describe(`a member cannot make the server's membership differ from the group's, nor wedge it (${backend})`, () => {
    let server: Running;
    before(async () => {
      server = await startServerOn(backend);
    });
    after(async () => {
      await server.close();
    });

    it("forged and junk commits by a member are refused; the conversation goes on", async () => {
      const bobStore = new MemoryStore();
      const [alice, bob, carol] = await Promise.all([
        newClient(server.url, "alice"),
        newClient(server.url, "bob", { store: bobStore }),
        newClient(server.url, "carol"),
      ]);
      if (!alice || !bob || !carol) throw new Error("clients");
      const id = await alice.createConversation({ name: "trio", members: ["bob", "carol"] });
      await bob.sync();
      await carol.sync();

      // Bob turns malicious: his own device's state and session, used outside his client.
      const [record] = await bobStore.loadConversations();
      const device = await bobStore.loadDevice();
      assert.ok(record?.state && device);
      const group: MlsGroup = await decodeGroup(record.state, { validateCredential: () => true });
      const transport = new HttpTransport(server.url);
      transport.setToken(device.token);
      const post = (commit: Uint8Array, groupInfo: Uint8Array, removed: string[] = []) =>
        transport.postCommit(id, { commit, groupInfo, added: [], removed });
      const carolLeaf = alice.members(id).find((m) => m.deviceId === carol.deviceId)?.leafIndex;
      assert.ok(carolLeaf !== undefined);

      // Carol's leaf removed in MLS, Alice's device named to the server: refused.
      const removeCarol = await group.commit({ remove: [carolLeaf], publicMessage: true });
      const nextInfo = await removeCarol.group.groupInfo();
      await refusedWith(post(removeCarol.commit, nextInfo, [alice.deviceId]), "membership_mismatch");
      await refusedWith(post(removeCarol.commit, nextInfo, []), "membership_mismatch");
      // A PrivateMessage commit the server cannot check: refused whatever it declares.
      const hidden = await group.commit({ remove: [carolLeaf] });
      await refusedWith(
        post(hidden.commit, await hidden.group.groupInfo(), [carol.deviceId]),
        "commit_not_public",
      );
      // Junk: a broken signature, and a valid commit with another commit's GroupInfo.
      const empty = await group.commit({ publicMessage: true });
      const emptyInfo = await empty.group.groupInfo();
      await refusedWith(post(flipSignature(empty.commit), emptyInfo), "bad_signature");
      await refusedWith(post(empty.commit, nextInfo), "group_info_mismatch");

      // Nothing moved: everyone is at the same epoch and still talks.
      await Promise.all([alice.sync(), bob.sync(), carol.sync()]);
      assert.equal(alice.epoch(id), 1);
      assert.equal(hex(alice.epochAuthenticator(id)), hex(bob.epochAuthenticator(id)));
      assert.equal(hex(alice.epochAuthenticator(id)), hex(carol.epochAuthenticator(id)));
      const carolMessages = collect(carol, "message");
      await alice.send(id, "still all here");
      await carol.sync();
      await until(() => carolMessages.some((m) => m.text === "still all here"), 10_000, "Carol reads it");

      // The honest flows still go through the checks: update, remove, and messages after them.
      await bob.updateKeys(id);
      const carolLeft = collect(carol, "left");
      await alice.removeMembers(id, ["carol"]);
      await Promise.all([bob.sync(), carol.sync()]);
      assert.deepEqual(carolLeft, [{ conversationId: id, reason: "removed" }]);
      assert.equal(alice.epoch(id), 3);
      assert.equal(hex(alice.epochAuthenticator(id)), hex(bob.epochAuthenticator(id)));
      const aliceMessages = collect(alice, "message");
      await bob.send(id, "just us");
      await alice.sync();
      await until(() => aliceMessages.some((m) => m.text === "just us"), 10_000, "Alice reads it");
    });
  });
}
