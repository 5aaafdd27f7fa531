import assert from "node:assert/strict";
import { test } from "node:test";
import { createKeyPackage, loadSuite, MlsGroup } from "@parley/mls";
import { type Backend, call, loginDevice, postgresAvailable, startServer } from "./harness.js";

const backends: Backend[] = ["sqlite", ...((await postgresAvailable()) ? (["postgres"] as const) : [])];
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** Suite 1 PublicMessage commit: signature, then confirmation and membership tags (1-byte length + 32 each). */
function flipSignature(commit: Uint8Array): Uint8Array {
  const copy = commit.slice();
  const at = copy.length - 67;
  copy[at] = (copy[at] ?? 0) ^ 1;
  return copy;
}

for (const backend of backends) {
  test(`the server checks commits against the group's public state (${backend})`, async () => {
    const server = await startServer(backend);
    const u = server.url;
    try {
      const suite = await loadSuite(1);
      const alice = await loginDevice(u, suite, "alice");
      const bob = await loginDevice(u, suite, "bob");
      const carol = await loginDevice(u, suite, "carol");
      let a = await MlsGroup.create(suite, await alice.keyPackage());
      const gid = Buffer.from(a.groupId).toString("base64url");
      const post = (token: string, body: object) =>
        call(u, "POST", `/v1/groups/${gid}/commits`, { token, body });
      const status = () => call(u, "GET", `/v1/groups/${gid}`, { token: alice.token });
      const reads = async (token: string) =>
        (await call(u, "GET", `/v1/groups/${gid}/messages`, { token })).status;

      // A new group's GroupInfo must be epoch 0 with the creator's own leaf.
      const bobsGroup = await MlsGroup.create(suite, await bob.keyPackage());
      const foreign = await call(u, "POST", "/v1/groups", {
        token: alice.token,
        body: {
          groupId: Buffer.from(bobsGroup.groupId).toString("base64url"),
          groupInfo: b64(await bobsGroup.groupInfo()),
        },
      });
      assert.equal(foreign.body.error, "credential_mismatch");
      const created = await call(u, "POST", "/v1/groups", {
        token: alice.token,
        body: { groupId: gid, groupInfo: b64(await a.groupInfo()) },
      });
      assert.equal(created.status, 201);

      // An Add whose credential names another account is refused.
      const carolAsAlice = await createKeyPackage(suite, {
        identity: new TextEncoder().encode(`alice/${carol.deviceId}`),
        signatureKeyPair: carol.keys,
      });
      const impostor = await a.commit({ add: [carolAsAlice.message], publicMessage: true });
      const refusedImpostor = await post(alice.token, {
        commit: b64(impostor.commit),
        added: [carol.deviceId],
        groupInfo: b64(await impostor.group.groupInfo()),
      });
      assert.equal(refusedImpostor.body.error, "credential_mismatch");

      const add = await a.commit({
        add: [(await bob.keyPackage()).message, (await carol.keyPackage()).message],
        publicMessage: true,
      });
      const addBundle = {
        commit: b64(add.commit),
        added: [bob.deviceId, carol.deviceId],
        welcomes: [{ deviceIds: [bob.deviceId, carol.deviceId], welcome: b64(add.welcome as Uint8Array) }],
      };
      assert.equal((await post(alice.token, addBundle)).body.error, "group_info_required");
      const rival = await a.commit({ add: [(await bob.keyPackage()).message], publicMessage: true });
      const mismatched = await post(alice.token, {
        ...addBundle,
        groupInfo: b64(await rival.group.groupInfo()),
      });
      assert.equal(mismatched.status, 400);
      assert.equal(mismatched.body.error, "group_info_mismatch");
      assert.deepEqual(
        (await post(alice.token, { ...addBundle, groupInfo: b64(await add.group.groupInfo()) })).body,
        { seq: 1, epoch: 1 },
      );
      a = add.group;

      const before = await status();
      const bobLeaf = a
        .members()
        .find((m) => Buffer.from(m.signatureKey).equals(bob.keys.publicKey))?.leafIndex;
      assert.equal(bobLeaf, 1);

      // Attack 4: a removal declared for another device than the leaf the commit removes.
      const removeBob = await a.commit({ remove: [1], publicMessage: true });
      const removeBobInfo = b64(await removeBob.group.groupInfo());
      const swapped = await post(alice.token, {
        commit: b64(removeBob.commit),
        removed: [carol.deviceId],
        groupInfo: removeBobInfo,
      });
      assert.equal(swapped.status, 400);
      assert.equal(swapped.body.error, "membership_mismatch");
      // A removal declared where the commit removes nobody.
      const empty = await a.commit({ publicMessage: true });
      const declaredOnly = await post(alice.token, {
        commit: b64(empty.commit),
        removed: [carol.deviceId],
        groupInfo: b64(await empty.group.groupInfo()),
      });
      assert.equal(declaredOnly.body.error, "membership_mismatch");
      // A PrivateMessage commit cannot be checked: refused whatever it declares.
      const hidden = await a.commit({ remove: [2] });
      const privateCommit = await post(alice.token, {
        commit: b64(hidden.commit),
        removed: [carol.deviceId],
        groupInfo: b64(await hidden.group.groupInfo()),
      });
      assert.equal(privateCommit.status, 400);
      assert.equal(privateCommit.body.error, "commit_not_public");

      // Attack 5: junk commits. A bad signature, and another member's valid commit replayed by Carol.
      const junk = await post(alice.token, {
        commit: b64(flipSignature(empty.commit)),
        groupInfo: b64(await empty.group.groupInfo()),
      });
      assert.equal(junk.status, 400);
      assert.equal(junk.body.error, "bad_signature");
      const replayed = await post(carol.token, {
        commit: b64(empty.commit),
        groupInfo: b64(await empty.group.groupInfo()),
      });
      assert.equal(replayed.body.error, "wrong_sender");

      // Nothing stored changed: same epoch and sequence, Bob and Carol still members.
      assert.deepEqual((await status()).body, before.body);
      assert.equal(await reads(bob.token), 200);
      assert.equal(await reads(carol.token), 200);

      // The real removal goes in; the server's member list follows the commit.
      const accepted = await post(alice.token, {
        commit: b64(removeBob.commit),
        removed: [bob.deviceId],
        groupInfo: removeBobInfo,
      });
      assert.deepEqual(accepted.body, { seq: 2, epoch: 2 });
      assert.equal(await reads(bob.token), 404);
      assert.equal(await reads(carol.token), 200);
      a = removeBob.group;

      // The view advanced: a commit on the new epoch is checked against it and accepted.
      const next = await a.commit({ publicMessage: true });
      assert.equal(
        (await post(alice.token, { commit: b64(next.commit), groupInfo: b64(await next.group.groupInfo()) }))
          .status,
        201,
      );
      const stale = await post(alice.token, {
        commit: b64(empty.commit),
        groupInfo: b64(await empty.group.groupInfo()),
      });
      assert.equal(stale.status, 409);
      assert.equal(stale.body.currentEpoch, 3);
    } finally {
      await server.close();
    }
  });
}
