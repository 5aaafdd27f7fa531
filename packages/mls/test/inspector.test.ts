import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createExternalProposal,
  generateSignatureKeyPair,
  inspectKeyPackage,
  inspectMessage,
  keyPackageRef,
  loadSuite,
  MAX_MESSAGE_BYTES,
  MlsGroup,
  ParleyMlsError,
  verifyKeyPackageSignature,
} from "../src/index.js";
import { str, testClient, text } from "./members.js";
import { MUTATIONS, mutate, prng } from "./mutate.js";
import { hex, mlsVectors } from "./vectors/files.js";

type MessagesVector = Record<string, string>;

const EXPECTED: Record<string, [string, string?]> = {
  mls_welcome: ["mls_welcome"],
  mls_group_info: ["mls_group_info"],
  mls_key_package: ["mls_key_package"],
  public_message_application: ["mls_public_message", "application"],
  public_message_proposal: ["mls_public_message", "proposal"],
  public_message_commit: ["mls_public_message", "commit"],
  private_message: ["mls_private_message"],
};

test("inspects every MLSMessage of the official messages vectors", () => {
  const vectors = mlsVectors<MessagesVector[]>("messages.json");
  for (const vector of vectors) {
    for (const [field, [wireFormat, contentType]] of Object.entries(EXPECTED)) {
      const info = inspectMessage(hex(vector[field] as string));
      assert.equal(info.wireFormat, wireFormat, field);
      if (contentType) assert.ok("contentType" in info && info.contentType === contentType, field);
    }
  }
});

async function fixture() {
  const suite = await loadSuite(2);
  const gateway = await generateSignatureKeyPair(suite);
  const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((n) => testClient(suite, n)));
  assert.ok(alice && bob && carol);
  const created = await MlsGroup.create(suite, await alice.keyPackage(), {
    externalSenders: [{ signatureKey: gateway.publicKey, identity: text("gateway") }],
  });
  const bobKp = await bob.keyPackage();
  const addBob = await created.commit({ add: [bobKp.message] });
  const a = addBob.group;
  const carolKp = await carol.keyPackage();
  const publicCommit = await a.commit({
    add: [carolKp.message],
    remove: [1],
    publicMessage: true,
    authenticatedData: text("ad"),
  });
  const external = await createExternalProposal(suite, {
    groupId: a.groupId,
    epoch: a.epoch,
    senderIndex: 0,
    signaturePrivateKey: gateway.privateKey,
    proposal: { remove: 1 },
  });
  const app = await a.encrypt(text("secret"), text("hello"));
  return { suite, a, bobKp, carolKp, addBob, publicCommit, external, app, bob };
}

test("reads headers, senders and proposals of Parley-built messages", async () => {
  const { a, bobKp, carolKp, addBob, publicCommit, external, app, bob } = await fixture();

  const commit = inspectMessage(publicCommit.commit);
  assert.ok(commit.wireFormat === "mls_public_message");
  assert.deepEqual(commit.groupId, a.groupId);
  assert.equal(commit.epoch, 1n);
  assert.equal(commit.contentType, "commit");
  assert.deepEqual(commit.sender, { type: "member", leafIndex: 0 });
  assert.equal(commit.authenticatedDataLength, 2);
  assert.equal(commit.hasPath, true);
  assert.deepEqual(
    commit.proposals.map((p) => p.type),
    ["add", "remove"],
  );
  const [add, remove] = commit.proposals;
  assert.ok(add?.type === "add" && add.keyPackage.credential.type === "basic");
  assert.equal(str(add.keyPackage.credential.identity), "carol");
  assert.deepEqual(remove, { type: "remove", removed: 1 });

  const proposal = inspectMessage(external);
  assert.ok(proposal.wireFormat === "mls_public_message");
  assert.deepEqual(proposal.sender, { type: "external", senderIndex: 0 });
  assert.deepEqual(proposal.proposals, [{ type: "remove", removed: 1 }]);
  assert.equal(proposal.hasPath, false);

  const privateCommit = inspectMessage(addBob.commit);
  assert.ok(privateCommit.wireFormat === "mls_private_message");
  assert.equal(privateCommit.contentType, "commit");
  assert.equal(privateCommit.epoch, 0n);
  const application = inspectMessage(app.message);
  assert.ok(application.wireFormat === "mls_private_message");
  assert.equal(application.contentType, "application");
  assert.equal(application.authenticatedDataLength, 5);

  const welcome = inspectMessage(publicCommit.welcome as Uint8Array);
  assert.ok(welcome.wireFormat === "mls_welcome");
  assert.equal(welcome.cipherSuite, 2);
  assert.deepEqual(welcome.newMembers, [carolKp.ref]);
  assert.deepEqual(await keyPackageRef(carolKp.message), carolKp.ref);
  assert.deepEqual(await keyPackageRef(carolKp.keyPackage), carolKp.ref);

  const info = inspectMessage(await a.groupInfo());
  assert.ok(info.wireFormat === "mls_group_info");
  assert.equal(info.epoch, 1n);
  assert.equal(info.signer, 0);

  const kp = inspectKeyPackage(bobKp.keyPackage);
  assert.equal(kp.cipherSuite, 2);
  assert.deepEqual(kp.credential, { type: "basic", identity: text("bob") });
  assert.deepEqual(kp.signatureKey, bob.keys.publicKey);
  assert.equal(kp.lastResort, false);
  assert.equal(await verifyKeyPackageSignature(bobKp.message), true);
  const forged = bobKp.keyPackage.slice();
  forged[forged.length - 5] = (forged[forged.length - 5] ?? 0) ^ 1;
  assert.equal(await verifyKeyPackageSignature(forged), false);
});

test("typed errors for input that is not a whole MLSMessage", () => {
  const fails = (bytes: Uint8Array, code: string) =>
    assert.throws(
      () => inspectMessage(bytes),
      (e: unknown) => e instanceof ParleyMlsError && e.code === code,
      `${Buffer.from(bytes.subarray(0, 8)).toString("hex")}… should fail with ${code}`,
    );
  const valid = hex(mlsVectors<MessagesVector[]>("messages.json")[0]?.public_message_commit as string);
  fails(new Uint8Array(), "truncated");
  fails(Uint8Array.of(0), "truncated");
  fails(Uint8Array.of(0, 2, 0, 1, 0), "unsupported");
  fails(Uint8Array.of(0, 1, 0, 9, 0), "unsupported");
  fails(valid.subarray(0, valid.length - 10), "truncated");
  fails(Uint8Array.of(...valid, 0), "malformed");
  fails(new Uint8Array(MAX_MESSAGE_BYTES + 1), "oversized");
});

test("fuzz: 12,000 mutated messages are inspected or refused with ParleyMlsError, nothing else", async (t) => {
  const { publicCommit, external, app, addBob, bobKp, a } = await fixture();
  const vectors = mlsVectors<MessagesVector[]>("messages.json")[0] as MessagesVector;
  const corpus = [
    publicCommit.commit,
    publicCommit.welcome as Uint8Array,
    external,
    app.message,
    addBob.commit,
    bobKp.message,
    await a.groupInfo(),
    ...Object.keys(EXPECTED).map((k) => hex(vectors[k] as string)),
  ];
  const random = prng(7);
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 12_000; i++) {
    const input = corpus[i % corpus.length] as Uint8Array;
    const kind = MUTATIONS[Math.floor(random() * MUTATIONS.length)] as (typeof MUTATIONS)[number];
    let outcome: string;
    try {
      inspectMessage(mutate(input, kind, random));
      outcome = "inspected";
    } catch (err) {
      assert.ok(err instanceof ParleyMlsError, `${kind} #${i}: ${String(err)}`);
      outcome = err.code;
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  assert.ok((outcomes.get("truncated") ?? 0) > 0 && (outcomes.get("malformed") ?? 0) > 0);
});
