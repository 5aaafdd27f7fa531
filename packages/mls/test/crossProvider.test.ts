import assert from "node:assert/strict";
import { test } from "node:test";
import {
  defaultCryptoProvider,
  loadSuite,
  MlsGroup,
  nodeCryptoProvider,
  type ProcessResult,
} from "../src/index.js";
import { str, testClient, text } from "./members.js";

function commitOf(result: ProcessResult) {
  assert.equal(result.kind, "commit");
  return result.group;
}

async function readText(group: MlsGroup, message: Uint8Array): Promise<[MlsGroup, string]> {
  const result = await group.process(message);
  assert.ok(result.kind === "application", `expected an application message, got ${result.kind}`);
  return [result.group, str(result.data)];
}

// Members on Parley's node:crypto provider and on ts-mls's default provider share one group: every
// serialized key, signature, HPKE ciphertext and secret must agree between the two implementations.
for (const suiteId of [1, 2, 3, 4, 5, 6, 7]) {
  test(`suite ${suiteId}: node:crypto and default-provider members share a group`, async () => {
    const ours = await loadSuite(suiteId, nodeCryptoProvider);
    const theirs = await loadSuite(suiteId, defaultCryptoProvider);
    const alice = await testClient(ours, "alice");
    const bob = await testClient(theirs, "bob");
    const carol = await testClient(ours, "carol");
    const dave = await testClient(theirs, "dave");

    // Ours creates and adds theirs.
    let a = await MlsGroup.create(ours, await alice.keyPackage());
    const bobKp = await bob.keyPackage();
    const addBob = await a.commit({ add: [bobKp.message] });
    a = addBob.group;
    let b = await MlsGroup.joinFromWelcome(theirs, addBob.welcome as Uint8Array, bobKp);

    // Theirs commits (adding one of ours and one of theirs); ours processes and joins.
    const carolKp = await carol.keyPackage();
    const daveKp = await dave.keyPackage();
    const addTwo = await b.commit({ add: [carolKp.message, daveKp.message] });
    b = addTwo.group;
    a = commitOf(await a.process(addTwo.commit));
    let c = await MlsGroup.joinFromWelcome(ours, addTwo.welcome as Uint8Array, carolKp);
    let d = await MlsGroup.joinFromWelcome(theirs, addTwo.welcome as Uint8Array, daveKp);
    for (const g of [b, c, d]) assert.deepEqual(g.epochAuthenticator, a.epochAuthenticator);

    // Application messages both ways.
    const fromA = await a.encrypt(text("from ours"));
    a = fromA.group;
    let got: string;
    [b, got] = await readText(b, fromA.message);
    assert.equal(got, "from ours");
    [d, got] = await readText(d, fromA.message);
    assert.equal(got, "from ours");
    const fromB = await b.encrypt(text("from theirs"));
    b = fromB.group;
    [a, got] = await readText(a, fromB.message);
    assert.equal(got, "from theirs");
    [c, got] = await readText(c, fromB.message);
    assert.equal(got, "from theirs");

    // Ours commits a path update and a removal; theirs process.
    const update = await c.commit();
    c = update.group;
    a = commitOf(await a.process(update.commit));
    b = commitOf(await b.process(update.commit));
    d = commitOf(await d.process(update.commit));
    const remove = await a.commit({ remove: [d.ownLeafIndex] });
    a = remove.group;
    b = commitOf(await b.process(remove.commit));
    c = commitOf(await c.process(remove.commit));
    for (const g of [b, c]) assert.deepEqual(g.epochAuthenticator, a.epochAuthenticator);
    assert.deepEqual(await b.exportSecret("x", text(""), 32), await a.exportSecret("x", text(""), 32));
    assert.equal(a.members().length, 3);
  });
}
