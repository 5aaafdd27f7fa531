import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeGroup, loadSuite, MlsGroup, ParleyMlsError } from "../src/index.js";
import { testClient, text } from "./members.js";
import { MUTATIONS, mutate, prng } from "./mutate.js";

const CASES = 10_000;

test(`facade: ${CASES} mutated valid messages all fail with typed errors and change nothing`, async (t) => {
  const suite = await loadSuite(1);
  const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((n) => testClient(suite, n)));
  assert.ok(alice && bob && carol);
  const creator = await MlsGroup.create(suite, await alice.keyPackage());
  const bobKp = await bob.keyPackage();
  const addBob = await creator.commit({ add: [bobKp.message] });
  const a = addBob.group;
  const b = await MlsGroup.joinFromWelcome(suite, addBob.welcome as Uint8Array, bobKp);

  // A corpus of valid inputs, each with the operation that accepts the genuine bytes.
  const carolKp = await carol.keyPackage();
  const privateCommit = await a.commit({ add: [carolKp.message] });
  const publicCommit = await a.commit({
    remove: [b.ownLeafIndex],
    publicMessage: true,
    authenticatedData: text("ad"),
  });
  const application = await a.encrypt(text("a secret for bob"), text("public ad"));
  const groupInfo = await a.groupInfo();
  const corpus: { name: string; bytes: Uint8Array; run(bytes: Uint8Array): Promise<unknown> }[] = [
    { name: "private commit", bytes: privateCommit.commit, run: (m) => b.process(m) },
    { name: "public commit", bytes: publicCommit.commit, run: (m) => b.process(m) },
    { name: "application", bytes: application.message, run: (m) => b.process(m) },
    {
      name: "welcome",
      bytes: privateCommit.welcome as Uint8Array,
      run: (m) => MlsGroup.joinFromWelcome(suite, m, carolKp),
    },
    {
      name: "group info",
      bytes: groupInfo,
      run: async (m) => MlsGroup.joinExternal(suite, m, await carol.keyPackage()),
    },
    { name: "key package", bytes: carolKp.message, run: (m) => a.commit({ add: [m] }) },
  ];
  for (const input of corpus) await input.run(input.bytes); // each genuine input is accepted

  const before = [encodeGroup(a), encodeGroup(b)];
  const random = prng(0x5eed);
  const codes = new Map<string, number>();
  const accepted: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const input = corpus[i % corpus.length] as (typeof corpus)[number];
    const kind = MUTATIONS[Math.floor(random() * MUTATIONS.length)] as (typeof MUTATIONS)[number];
    const mutated = mutate(input.bytes, kind, random);
    try {
      await input.run(mutated);
      accepted.push(`${input.name}/${kind}#${i}`);
    } catch (err) {
      assert.ok(err instanceof ParleyMlsError, `${input.name}/${kind}#${i} threw ${String(err)}`);
      codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
    }
  }
  t.diagnostic(`rejected by code: ${JSON.stringify(Object.fromEntries(codes))}`);
  assert.deepEqual(accepted, [], "a mutated message was accepted");
  assert.deepEqual([encodeGroup(a), encodeGroup(b)], before, "a rejected input changed group state");
  // The genuine messages still process after the onslaught.
  assert.equal((await b.process(application.message)).kind, "application");
  assert.equal((await b.process(privateCommit.commit)).kind, "commit");
});
