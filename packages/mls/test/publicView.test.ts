import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { signFramedContentTBS, toTbs } from "ts-mls/framedContent.js";
import { decodeMlsMessage, encodeMlsMessage, type MLSMessage, type PublicMessage } from "../src/engine.js";
import { CommitCheckError, loadSuite, MlsGroup, PublicGroupView } from "../src/index.js";
import { str, type TestClient, testClient } from "./members.js";

const identityOf = (m: { credential: { type: string; identity?: Uint8Array } }) =>
  str(m.credential.identity ?? new Uint8Array());

async function refusedWith(promise: Promise<unknown>, reason: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof CommitCheckError && err.reason === reason);
}

/** The commit's PublicMessage, changed by `edit` and (with `signer`) signed again as a member could. */
async function forge(
  commit: Uint8Array,
  group: MlsGroup,
  edit: (pm: PublicMessage) => void,
  signer?: TestClient,
): Promise<Uint8Array> {
  const message = decodeMlsMessage(commit, 0)?.[0] as MLSMessage & { wireformat: "mls_public_message" };
  const pm = message.publicMessage;
  edit(pm);
  if (signer) {
    const context = group.state.groupContext;
    const tbs = toTbs(pm.content, "mls_public_message", context);
    pm.auth.signature = await signFramedContentTBS(signer.keys.privateKey, tbs, signer.suite.impl.signature);
  }
  return encodeMlsMessage(message);
}

describe("PublicGroupView: a delivery service's view of a group", () => {
  for (const suiteId of [1, 2, 3]) {
    test(`follows real add, update and remove commits and derives what each does (suite ${suiteId})`, async () => {
      const suite = await loadSuite(suiteId);
      const [alice, bob, carol] = await Promise.all(
        ["alice", "bob", "carol"].map((n) => testClient(suite, n)),
      );
      assert.ok(alice && bob && carol);
      let a = await MlsGroup.create(suite, await alice.keyPackage());
      let view = await PublicGroupView.fromGroupInfo(await a.groupInfo());
      assert.equal(view.epoch, 0n);
      assert.deepEqual(view.groupId, a.groupId);
      assert.deepEqual(view.members().map(identityOf), ["alice"]);

      const add = await a.commit({
        add: [(await bob.keyPackage()).message, (await carol.keyPackage()).message],
        publicMessage: true,
      });
      const added = await view.checkCommit(add.commit);
      assert.equal(added.external, false);
      assert.equal(added.committer?.leafIndex, 0);
      assert.deepEqual(added.added.map(identityOf), ["bob", "carol"]);
      assert.deepEqual(added.removed, []);
      a = add.group;
      view = await view.checkNextGroupInfo(await a.groupInfo(), added);
      assert.equal(view.epoch, 1n);
      assert.deepEqual(view.members().map(identityOf), ["alice", "bob", "carol"]);

      const update = await a.commit({ publicMessage: true });
      const updated = await view.checkCommit(update.commit);
      assert.deepEqual(updated.pathLeaf && identityOf(updated.pathLeaf), "alice");
      a = update.group;
      view = await view.checkNextGroupInfo(await a.groupInfo(), updated);

      // Replacing the group context extensions: the view follows the GroupContext, not only the tree.
      const rename = await a.commit({
        groupContextExtensions: [{ type: 0xf0a1, data: new TextEncoder().encode("renamed") }],
        publicMessage: true,
      });
      const renamed = await view.checkCommit(rename.commit);
      const unrenamed = await a.commit({ publicMessage: true });
      await refusedWith(
        view.checkNextGroupInfo(await unrenamed.group.groupInfo(), renamed),
        "bad_group_info",
      );
      a = rename.group;
      view = await view.checkNextGroupInfo(await a.groupInfo(), renamed);

      const remove = await a.commit({ remove: [2], publicMessage: true });
      const removed = await view.checkCommit(remove.commit);
      assert.deepEqual(
        removed.removed.map((m) => [m.leafIndex, identityOf(m)]),
        [[2, "carol"]],
      );
      a = remove.group;
      view = await view.checkNextGroupInfo(await a.groupInfo(), removed);
      assert.equal(view.epoch, 4n);
      assert.deepEqual(view.members().map(identityOf), ["alice", "bob"]);
    });
  }

  test("refuses forged commits: bad signature, wrong sender, altered removal, bad proposals, PrivateMessage", async () => {
    const suite = await loadSuite(1);
    const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((n) => testClient(suite, n)));
    assert.ok(alice && bob && carol);
    let a = await MlsGroup.create(suite, await alice.keyPackage());
    const add = await a.commit({
      add: [(await bob.keyPackage()).message, (await carol.keyPackage()).message],
      publicMessage: true,
    });
    a = add.group;
    const view = await PublicGroupView.fromGroupInfo(await a.groupInfo());
    const remove = await a.commit({ remove: [2], publicMessage: true });
    assert.equal((await view.checkCommit(remove.commit)).removed[0]?.leafIndex, 2);

    const flipped = await forge(remove.commit, a, (pm) => {
      pm.auth.signature[0] = (pm.auth.signature[0] ?? 0) ^ 1;
    });
    await refusedWith(view.checkCommit(flipped), "bad_signature");
    const asBob = await forge(remove.commit, a, (pm) => {
      pm.content.sender = { senderType: "member", leafIndex: 1 };
    });
    await refusedWith(view.checkCommit(asBob), "bad_signature");
    const fromNobody = await forge(remove.commit, a, (pm) => {
      pm.content.sender = { senderType: "member", leafIndex: 7 };
    });
    await refusedWith(view.checkCommit(fromNobody), "unknown_sender");
    const otherVictim = (leaf: number) => (pm: PublicMessage) => {
      if (pm.content.contentType !== "commit") return;
      pm.content.commit.proposals = [
        { proposalOrRefType: "proposal", proposal: { proposalType: "remove", remove: { removed: leaf } } },
      ];
    };
    await refusedWith(view.checkCommit(await forge(remove.commit, a, otherVictim(1))), "bad_signature");
    // Re-signed by the committer itself: its UpdatePath was made for the tree without leaf 2, not leaf 1.
    const resigned = await forge(remove.commit, a, otherVictim(1), alice);
    await refusedWith(view.checkCommit(resigned), "bad_path");
    // And the proposal rules hold whoever signs.
    await refusedWith(view.checkCommit(await forge(remove.commit, a, otherVictim(5), alice)), "bad_proposal");
    await refusedWith(view.checkCommit(await forge(remove.commit, a, otherVictim(0), alice)), "bad_proposal");
    const twice = await forge(
      remove.commit,
      a,
      (pm) => {
        if (pm.content.contentType !== "commit") return;
        const [p] = pm.content.commit.proposals;
        assert.ok(p);
        pm.content.commit.proposals = [p, p];
      },
      alice,
    );
    await refusedWith(view.checkCommit(twice), "bad_proposal");
    const otherEpoch = await forge(remove.commit, a, (pm) => {
      pm.content.epoch += 1n;
    });
    await refusedWith(view.checkCommit(otherEpoch), "wrong_epoch");

    // An Add whose key package signature is broken, in a commit the committer signs.
    const dave = await testClient(suite, "dave");
    const addDave = await a.commit({ add: [(await dave.keyPackage()).message], publicMessage: true });
    const brokenPackage = await forge(
      addDave.commit,
      a,
      (pm) => {
        const [p] = pm.content.contentType === "commit" ? pm.content.commit.proposals : [];
        if (p?.proposalOrRefType !== "proposal" || p.proposal.proposalType !== "add") return;
        const signature = p.proposal.add.keyPackage.signature;
        signature[0] = (signature[0] ?? 0) ^ 1;
      },
      alice,
    );
    await refusedWith(view.checkCommit(brokenPackage), "bad_proposal");

    const hidden = await a.commit({ remove: [2] });
    await refusedWith(view.checkCommit(hidden.commit), "not_public");
    await refusedWith(view.checkCommit(await a.groupInfo()), "not_public");
  });

  test("refuses a next GroupInfo that does not follow from the commit", async () => {
    const suite = await loadSuite(1);
    const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((n) => testClient(suite, n)));
    assert.ok(alice && bob && carol);
    let a = await MlsGroup.create(suite, await alice.keyPackage());
    const add = await a.commit({ add: [(await bob.keyPackage()).message], publicMessage: true });
    a = add.group;
    const view = await PublicGroupView.fromGroupInfo(await a.groupInfo());
    const update = await a.commit({ publicMessage: true });
    const rival = await a.commit({ add: [(await carol.keyPackage()).message], publicMessage: true });
    const change = await view.checkCommit(update.commit);
    await refusedWith(view.checkNextGroupInfo(await rival.group.groupInfo(), change), "bad_group_info");
    await refusedWith(view.checkNextGroupInfo(await a.groupInfo(), change), "bad_group_info");
    const noTree = await update.group.groupInfo({ ratchetTree: false });
    await refusedWith(view.checkNextGroupInfo(noTree, change), "bad_group_info");
    await refusedWith(PublicGroupView.fromGroupInfo(noTree), "bad_group_info");
    const next = await view.checkNextGroupInfo(await update.group.groupInfo(), change);
    assert.equal(next.epoch, 2n);
    // A GroupInfo with a broken signature is refused even as a starting point.
    const info = decodeMlsMessage(await a.groupInfo(), 0)?.[0] as MLSMessage & {
      wireformat: "mls_group_info";
    };
    info.groupInfo.signature[0] = (info.groupInfo.signature[0] ?? 0) ^ 1;
    await refusedWith(PublicGroupView.fromGroupInfo(encodeMlsMessage(info)), "bad_signature");
  });

  test("checks an external commit: the joiner's path leaf, its place, and the next GroupInfo", async () => {
    const suite = await loadSuite(1);
    const [alice, phone] = await Promise.all(["alice", "alice-phone"].map((n) => testClient(suite, n)));
    assert.ok(alice && phone);
    const a = await MlsGroup.create(suite, await alice.keyPackage());
    const groupInfo = await a.groupInfo();
    const view = await PublicGroupView.fromGroupInfo(groupInfo);
    const join = await MlsGroup.joinExternal(suite, groupInfo, await phone.keyPackage());
    const change = await view.checkCommit(join.commit);
    assert.equal(change.external, true);
    assert.equal(change.committer, undefined);
    assert.deepEqual(change.pathLeaf && identityOf(change.pathLeaf), "alice-phone");
    const next = await view.checkNextGroupInfo(await join.group.groupInfo(), change);
    assert.deepEqual(next.members().map(identityOf), ["alice", "alice-phone"]);
  });
});
