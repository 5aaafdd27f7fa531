import assert from "node:assert/strict";
import { test } from "node:test";
import { isKeyCached } from "../src/crypto/keyCache.js";
import { loadSuite, MlsGroup } from "../src/index.js";
import { testClient } from "./members.js";

const pathKeys = (g: MlsGroup) => Object.values(g.state.privatePath.privateKeys);
const hex = (k: Uint8Array) => Buffer.from(k).toString("hex");
/** Keys `before` held that `after` does not: what forgetting `before`'s epoch lets go of. */
const replaced = (before: MlsGroup, after: MlsGroup) => {
  const kept = new Set(pathKeys(after).map(hex));
  return pathKeys(before).filter((k) => !kept.has(hex(k)));
};

for (const suiteId of [1, 2]) {
  test(`forgetPrevious evicts the forgotten epoch's imported path keys (suite ${suiteId})`, async () => {
    const suite = await loadSuite(suiteId);
    const [alice, bob] = await Promise.all(["alice", "bob"].map((n) => testClient(suite, n)));
    assert.ok(alice && bob);
    let a = await MlsGroup.create(suite, await alice.keyPackage());
    const bobKp = await bob.keyPackage();
    const add = await a.commit({ add: [bobKp.message] });
    a = add.group;
    assert.ok(add.welcome);
    let b = await MlsGroup.joinFromWelcome(suite, add.welcome, bobKp);
    assert.equal(
      isKeyCached(bobKp.engine.privatePackage.initPrivateKey),
      false,
      "the used init key is evicted",
    );

    // Two path updates from alice: bob decrypts with, and derives, private keys that the cache imports.
    // (Alice and bob share one process, so one cache: whoever forgets a shared key first evicts it.)
    for (let i = 0; i < 2; i++) {
      const update = await a.commit();
      a = update.group;
      const got = await b.process(update.commit);
      assert.equal(got.kind, "commit");
      const gone = replaced(b, got.group);
      if (i === 1) {
        assert.ok(gone.length > 0, "alice's second update replaces bob's root key");
        assert.ok(gone.every(isKeyCached), "the replaced keys were imported while processing");
      }
      // The cache is process-wide and alice's old root key is bob's too: both let go of it.
      update.forgetPrevious();
      got.forgetPrevious();
      for (const key of gone)
        assert.equal(isKeyCached(key), false, "a forgotten epoch's key is still cached");
      for (const key of pathKeys(got.group))
        assert.ok(
          key.some((byte) => byte !== 0),
          "a live key was wiped",
        );
      b = got.group;
    }

    // Bob's own commit replaces his leaf key, which he used (and imported) to decrypt alice's updates.
    const own = await b.commit();
    const gone = replaced(b, own.group);
    assert.ok(gone.length > 0 && gone.some(isKeyCached));
    own.forgetPrevious();
    for (const key of gone) assert.equal(isKeyCached(key), false);
    const sent = await own.group.encrypt(new TextEncoder().encode("still works"));
    a = (await a.process(own.commit)).group;
    assert.equal((await a.process(sent.message)).kind, "application");

    // A discarded state's keys go too.
    own.group.forgetKeys();
    for (const key of pathKeys(own.group)) assert.equal(isKeyCached(key), false);
  });
}
