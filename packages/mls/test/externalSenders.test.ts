import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createExternalProposal,
  generateSignatureKeyPair,
  type IncomingHandshake,
  loadSuite,
  MlsGroup,
  ParleyMlsError,
} from "../src/index.js";
import { str, testClient, text } from "./members.js";

test("an external sender's add and remove proposals are validated, committed and joined", async () => {
  const suite = await loadSuite(2); // P-256, as DAVE's external sender uses
  const gateway = await generateSignatureKeyPair(suite);
  const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((n) => testClient(suite, n)));
  assert.ok(alice && bob && carol);
  let a = await MlsGroup.create(suite, await alice.keyPackage(), {
    externalSenders: [{ signatureKey: gateway.publicKey, identity: text("gateway") }],
  });
  const senders = a.externalSenders();
  assert.equal(senders.length, 1);
  assert.deepEqual(senders[0]?.signatureKey, gateway.publicKey);

  const bobKp = await bob.keyPackage();
  const proposal = (
    body: { add: Uint8Array } | { remove: number },
    key = gateway.privateKey,
    senderIndex = 0,
  ) =>
    createExternalProposal(suite, {
      groupId: a.groupId,
      epoch: a.epoch,
      senderIndex,
      signaturePrivateKey: key,
      proposal: body,
    });
  const addBob = await proposal({ add: bobKp.keyPackage });

  // The validator sees the proposal; refusing it leaves the group as it was.
  const seen: IncomingHandshake[] = [];
  await assert.rejects(
    a.process(addBob, {
      validate: (h) => {
        seen.push(h);
        return "not today";
      },
    }),
    (e: unknown) => e instanceof ParleyMlsError && e.code === "rejected" && e.message === "not today",
  );
  assert.equal(seen[0]?.kind, "proposal");
  assert.equal(seen[0]?.kind === "proposal" && seen[0].senderLeafIndex, undefined);
  assert.deepEqual(a.pendingProposals(), []);

  // A proposal signed by someone else, or naming a sender index that does not exist, is invalid.
  const impostor = await generateSignatureKeyPair(suite);
  await assert.rejects(
    a.process(await proposal({ add: bobKp.keyPackage }, impostor.privateKey)),
    ParleyMlsError,
  );
  await assert.rejects(
    a.process(await proposal({ add: bobKp.keyPackage }, gateway.privateKey, 3)),
    ParleyMlsError,
  );

  const accepted = await a.process(addBob);
  assert.equal(accepted.kind, "proposal");
  a = accepted.group;
  const [pending] = a.pendingProposals();
  assert.equal(pending?.type, "add");
  assert.equal(str(pending?.addedIdentity ?? new Uint8Array()), "bob");

  const commit = await a.commit();
  assert.equal(commit.added.length, 1);
  a = commit.group;
  const b = await MlsGroup.joinFromWelcome(suite, commit.welcome as Uint8Array, bobKp);
  assert.deepEqual(b.epochAuthenticator, a.epochAuthenticator);
  assert.equal(b.externalSenders().length, 1);

  // Revoking a pending proposal drops it before the commit.
  const addCarol = await a.process(await proposal({ add: (await carol.keyPackage()).message }));
  const ref = addCarol.group.pendingProposals()[0]?.ref as Uint8Array;
  assert.deepEqual(addCarol.group.withoutProposals([ref]).pendingProposals(), []);

  // Every member receives a proposal before the commit that references it.
  const removeProposal = await proposal({ remove: b.ownLeafIndex });
  const removeBob = await a.process(removeProposal);
  const bobHeard = await b.process(removeProposal);
  const removal = await removeBob.group.commit();
  assert.deepEqual(
    removal.removed.map((m) => str(m.credential.type === "basic" ? m.credential.identity : new Uint8Array())),
    ["bob"],
  );
  const bobSees = await bobHeard.group.process(removal.commit);
  assert.ok(bobSees.kind === "commit" && bobSees.selfRemoved);
});

test("a new member joins by external commit from a GroupInfo", async () => {
  const suite = await loadSuite(1);
  const [alice, bob] = await Promise.all(["alice", "bob"].map((n) => testClient(suite, n)));
  assert.ok(alice && bob);
  const a = await MlsGroup.create(suite, await alice.keyPackage());
  const { group: b, commit } = await MlsGroup.joinExternal(
    suite,
    await a.groupInfo(),
    await bob.keyPackage(),
  );
  const aliceSees = await a.process(commit);
  assert.ok(aliceSees.kind === "commit");
  assert.equal(aliceSees.senderLeafIndex, undefined);
  assert.deepEqual(aliceSees.group.epochAuthenticator, b.epochAuthenticator);
  const sent = await b.encrypt(text("joined"));
  const read = await aliceSees.group.process(sent.message);
  assert.ok(read.kind === "application");
  assert.equal(str(read.data), "joined");
});

test("the validator can refuse a commit, leaving the group unchanged", async () => {
  const suite = await loadSuite(1);
  const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((n) => testClient(suite, n)));
  assert.ok(alice && bob && carol);
  const bobKp = await bob.keyPackage();
  const added = await (await MlsGroup.create(suite, await alice.keyPackage())).commit({
    add: [bobKp.message],
  });
  const b = await MlsGroup.joinFromWelcome(suite, added.welcome as Uint8Array, bobKp);
  const addCarol = await added.group.commit({ add: [(await carol.keyPackage()).message] });
  let shown: IncomingHandshake | undefined;
  await assert.rejects(
    b.process(addCarol.commit, {
      validate: (h) => {
        shown = h;
        return false;
      },
    }),
    (e: unknown) => e instanceof ParleyMlsError && e.code === "rejected",
  );
  assert.ok(shown?.kind === "commit");
  assert.equal(shown.senderLeafIndex, 0);
  assert.deepEqual(
    shown.proposals.map((p) => p.proposal.proposalType),
    ["add"],
  );
  assert.equal(b.epoch, 1n);
  const ok = await b.process(addCarol.commit, { validate: () => true });
  assert.equal(ok.group.epoch, 2n);
});
