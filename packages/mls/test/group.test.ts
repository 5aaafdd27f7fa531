import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeGroup, encodeGroup, loadSuite, MlsGroup, ParleyMlsError } from "../src/index.js";
import { str, testClient, text } from "./members.js";

for (const suiteId of [1, 2, 3, 4, 5, 6, 7]) {
  describe(`MlsGroup life cycle, suite ${suiteId}`, () => {
    test("create, add, join, talk, commit, remove, save and load", async () => {
      const suite = await loadSuite(suiteId);
      const [alice, bob, carol] = await Promise.all(
        ["alice", "bob", "carol"].map((n) => testClient(suite, n)),
      );
      assert.ok(alice && bob && carol);

      let a = await MlsGroup.create(suite, await alice.keyPackage());
      assert.equal(a.epoch, 0n);
      assert.equal(a.members().length, 1);

      const bobKp = await bob.keyPackage();
      const addBob = await a.commit({ add: [bobKp.message] });
      assert.ok(addBob.welcome);
      assert.deepEqual(
        addBob.added.map((m) =>
          str(m.credential.type === "basic" ? m.credential.identity : new Uint8Array()),
        ),
        ["bob"],
      );
      a = addBob.group;
      let b = await MlsGroup.joinFromWelcome(suite, addBob.welcome, bobKp);
      assert.equal(b.epoch, 1n);
      assert.deepEqual(b.epochAuthenticator, a.epochAuthenticator);
      assert.deepEqual(
        await b.exportSecret("test", text("ctx"), 32),
        await a.exportSecret("test", text("ctx"), 32),
      );

      const sent = await a.encrypt(text("hello bob"));
      a = sent.group;
      const got = await b.process(sent.message);
      assert.equal(got.kind, "application");
      assert.ok(got.kind === "application");
      assert.equal(str(got.data), "hello bob");
      assert.equal(got.senderLeafIndex, a.ownLeafIndex);
      b = got.group;

      // Bob's empty commit, processed by Alice.
      const empty = await b.commit();
      const processed = await a.process(empty.commit);
      assert.equal(processed.kind, "commit");
      b = empty.group;
      a = processed.group;
      assert.equal(a.epoch, 2n);
      assert.deepEqual(a.epochAuthenticator, b.epochAuthenticator);

      // Carol joins with the tree delivered out of band.
      const carolKp = await carol.keyPackage();
      const addCarol = await a.commit({
        add: [carolKp.keyPackage],
        ratchetTreeInWelcome: false,
        publicMessage: true,
      });
      const bobSees = await b.process(addCarol.commit);
      assert.ok(bobSees.kind === "commit");
      assert.equal(bobSees.added.length, 1);
      a = addCarol.group;
      b = bobSees.group;
      assert.ok(addCarol.welcome);
      await assert.rejects(
        MlsGroup.joinFromWelcome(suite, addCarol.welcome, carolKp),
        (e: unknown) => e instanceof ParleyMlsError,
      );
      let c = await MlsGroup.joinFromWelcome(suite, addCarol.welcome, carolKp, {
        ratchetTree: a.ratchetTree(),
      });
      assert.deepEqual(c.epochAuthenticator, a.epochAuthenticator);

      // Save and load Carol, then remove Bob.
      c = await decodeGroup(encodeGroup(c));
      const removeBob = await c.commit({ remove: [b.ownLeafIndex] });
      const aliceSees = await a.process(removeBob.commit);
      const bobRemoved = await b.process(removeBob.commit);
      assert.ok(aliceSees.kind === "commit" && bobRemoved.kind === "commit");
      assert.equal(bobRemoved.selfRemoved, true);
      assert.deepEqual(
        aliceSees.removed.map((m) => m.leafIndex),
        [b.ownLeafIndex],
      );
      a = aliceSees.group;
      c = removeBob.group;
      assert.equal(a.members().length, 2);
      const last = await c.encrypt(text("bye bob"));
      const aliceRead = await a.process(last.message);
      assert.ok(aliceRead.kind === "application");
      assert.equal(str(aliceRead.data), "bye bob");
      await assert.rejects(bobRemoved.group.process(last.message), ParleyMlsError);
    });
  });
}
