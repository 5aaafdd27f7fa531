import assert from "node:assert/strict";
import { test } from "node:test";
import { DAVESession, ProposalsOperationType } from "@snazzah/davey";
import { Session } from "../../src/index.js";
import { TestGateway } from "./testGateway.js";

const CHANNEL = "927310423890473011";
const SELF = "158049329150427136";
const OTHER = "158533742254751744";

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(input: Uint8Array, random: () => number): Uint8Array {
  const at = (n: number) => Math.floor(random() * n);
  const out = new Uint8Array(input); // a copy: Buffer#slice would share memory with the original
  switch (at(3)) {
    case 0: {
      const i = at(out.length);
      out[i] = (out[i] ?? 0) ^ (1 << at(8));
      return out;
    }
    case 1:
      return out.subarray(0, at(out.length));
    default:
      return Uint8Array.from([...input, ...Array.from({ length: 1 + at(8) }, () => at(256))]);
  }
}

/** A Parley session established with davey in one group, plus the payloads that got it there. */
async function established() {
  const failures: string[] = [];
  const gateway = await TestGateway.create(CHANNEL);
  const session = new Session({ onMlsFailure: (source, reason) => failures.push(`${source}: ${reason}`) });
  await session.init(1, CHANNEL, SELF);
  await session.setExternalSender(gateway.externalSender);
  const davey = new DAVESession(1, OTHER, CHANNEL);
  davey.setExternalSender(Buffer.from(gateway.externalSender));
  const add = await gateway.proposal(0n, { add: davey.getSerializedKeyPackage() });
  const produced = await session.processProposals(TestGateway.append([add]), [OTHER]);
  assert.ok(produced?.welcome);
  await session.processCommit(produced.commit);
  davey.processWelcome(Buffer.from(produced.welcome));
  return { session, gateway, davey, failures, add, produced };
}

test("malformed gateway payloads are refused through the failure callback, never thrown", async () => {
  const { session, gateway, failures, produced } = await established();
  const authenticator = Buffer.from(session.lastEpochAuthenticator).toString("hex");
  const sender = gateway.externalSender;

  await session.setExternalSender(sender.subarray(0, 10));
  await session.setExternalSender(Uint8Array.of(...sender, 0));
  assert.equal(await session.processProposals(Uint8Array.of(7, 0), [OTHER]), null, "unknown operation");
  assert.equal(
    await session.processProposals(Uint8Array.of(0, 0x40, 0x05), [OTHER]),
    null,
    "non-minimal length",
  );
  assert.equal(await session.processProposals(Uint8Array.of(0, 9, 1, 2), [OTHER]), null, "truncated vector");
  assert.equal(
    await session.processProposals(TestGateway.append([produced.commit]), [OTHER]),
    null,
    "a commit",
  );
  const stale = await gateway.proposal(0n, { remove: 1 });
  assert.equal(await session.processProposals(TestGateway.append([stale]), [OTHER]), null, "old epoch");
  assert.equal((await session.processCommit(Uint8Array.of(1, 2, 3))).kind, "failed");
  assert.equal((await session.processCommit(produced.commit)).kind, "ignored", "a replayed commit");
  assert.equal(
    await session.processWelcome(produced.welcome as Uint8Array, [OTHER]),
    null,
    "a replayed Welcome",
  );
  assert.equal(failures.length, 9, failures.join("\n"));
  assert.equal(Buffer.from(session.lastEpochAuthenticator).toString("hex"), authenticator, "state unchanged");
});

test("fuzz: 1,500 mutated proposals, commits and Welcomes leave the session as it was", async () => {
  const { session, gateway, davey } = await established();
  const authenticator = Buffer.from(session.lastEpochAuthenticator).toString("hex");
  const third = new DAVESession(1, "158533742254751999", CHANNEL);
  third.setExternalSender(Buffer.from(gateway.externalSender));
  const addThird = await gateway.proposal(1n, { add: third.getSerializedKeyPackage() });
  const daveyCommit = davey.processProposals(
    ProposalsOperationType.APPEND,
    Buffer.from(TestGateway.vector([addThird])),
    [SELF, "158533742254751999"],
  );
  assert.ok(daveyCommit.commit && daveyCommit.welcome);
  const random = prng(42);
  const recognized = [OTHER, "158533742254751999"];
  for (let i = 0; i < 500; i++) {
    const payload = mutate(TestGateway.append([addThird]), random);
    const out = await session.processProposals(payload, recognized);
    // A mutation may still be a valid append (e.g. in a signature-free byte); never an exception.
    if (out !== null) assert.ok(out.commit.length > 0);
    const commit = mutate(daveyCommit.commit, random);
    assert.notEqual((await session.processCommit(commit)).kind, "roster", `mutated commit #${i} applied`);
    assert.equal(await session.processWelcome(mutate(daveyCommit.welcome, random), recognized), null);
  }
  assert.equal(Buffer.from(session.lastEpochAuthenticator).toString("hex"), authenticator, "epoch unchanged");
  // The genuine commit still applies after all that.
  await session.processProposals(TestGateway.append([addThird]), recognized);
  const final = await session.processCommit(daveyCommit.commit);
  assert.equal(final.kind, "roster", final.kind === "roster" ? "" : final.reason);
});
